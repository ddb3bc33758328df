package io.verigrid.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The chain's starting point: its id, the funded accounts, the parameters, the issuance schedule and the
 * market's rules. Stored as JSON with public keys in hex; parameters missing from the file take
 * {@link Params#defaults()}, a missing {@code issuance} takes {@link Issuance#defaults()}, missing {@code market}
 * fields take {@link MarketParams#defaults()}. A genesis whose parameters let cheating pay is refused
 * ({@link Params#checkCheatingLoses()}).
 */
public record Genesis(String chainId, List<GenesisAccount> accounts, Params params, Issuance issuance, MarketParams market) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Genesis {
        Tx.checkChainId(chainId);
        if (accounts == null) throw new IllegalArgumentException("accounts must not be null");
        if (params == null) throw new IllegalArgumentException("params must not be null");
        if (issuance == null) throw new IllegalArgumentException("issuance must not be null");
        if (market == null) throw new IllegalArgumentException("market must not be null");
        params.checkCheatingLoses();
        accounts = List.copyOf(accounts);
        Set<String> seen = new HashSet<>();
        long supply = 0;
        for (GenesisAccount account : accounts) {
            if (!seen.add(Hashes.hex(account.publicKey()))) {
                throw new IllegalArgumentException("accounts: duplicate public key " + Hashes.hex(account.publicKey()));
            }
            try {
                supply = Math.addExact(supply, account.balance());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("accounts: total balance overflows a long");
            }
        }
    }

    /** A genesis with the default market rules. */
    public Genesis(String chainId, List<GenesisAccount> accounts, Params params, Issuance issuance) {
        this(chainId, accounts, params, issuance, MarketParams.defaults());
    }

    /** A genesis with the default issuance schedule and market rules. */
    public Genesis(String chainId, List<GenesisAccount> accounts, Params params) {
        this(chainId, accounts, params, Issuance.defaults());
    }

    /** This genesis with other market rules. */
    public Genesis withMarket(MarketParams market) {
        return new Genesis(chainId, accounts, params, issuance, market);
    }

    /** Σ of the genesis balances: the total supply at height 0. */
    public long supply() {
        return accounts.stream().mapToLong(GenesisAccount::balance).sum();
    }

    public static Genesis read(Path json) {
        try {
            JsonNode root = JSON.readTree(json.toFile());
            if (root == null || !root.isObject()) throw new IllegalArgumentException("genesis " + json + ": not a JSON object");
            List<GenesisAccount> accounts = new ArrayList<>();
            for (JsonNode a : root.path("accounts")) {
                accounts.add(new GenesisAccount(Hashes.unhex(a.path("publicKey").asText()), a.path("balance").asLong(-1)));
            }
            ObjectNode params = JSON.valueToTree(Params.defaults());
            if (root.has("params")) params.setAll((ObjectNode) root.get("params"));
            ObjectNode issuance = JSON.valueToTree(Issuance.defaults());
            if (root.has("issuance")) issuance.setAll((ObjectNode) root.get("issuance"));
            ObjectNode market = JSON.valueToTree(MarketParams.defaults());
            if (root.has("market")) market.setAll((ObjectNode) root.get("market"));
            return new Genesis(root.path("chainId").asText(null), accounts, JSON.treeToValue(params, Params.class),
                    JSON.treeToValue(issuance, Issuance.class), JSON.treeToValue(market, MarketParams.class));
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            // A parameter the Params record refuses: its own message names the field.
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw new IllegalArgumentException("genesis " + json + ": " + bad.getMessage(), bad);
            }
            throw new UncheckedIOException("cannot read genesis " + json, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read genesis " + json, e);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("genesis " + json + ": params, issuance and market must be JSON objects");
        }
    }

    public void write(Path json) {
        ObjectNode root = JSON.createObjectNode();
        root.put("chainId", chainId);
        ArrayNode list = root.putArray("accounts");
        for (GenesisAccount a : accounts) {
            list.addObject().put("publicKey", Hashes.hex(a.publicKey())).put("balance", a.balance());
        }
        root.set("params", JSON.valueToTree(params));
        root.set("issuance", JSON.valueToTree(issuance));
        root.set("market", JSON.valueToTree(market));
        try {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            JSON.writeValue(json.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write genesis " + json, e);
        }
    }
}
