package io.verigrid.cli;

import io.verigrid.ledger.ChainStatus;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.Json;
import io.verigrid.node.ledger.LedgerHttp;
import java.math.BigDecimal;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that talk to a ledger node: where keys live ({@code --home}), which node to
 * ask ({@code --node}), which chain to expect ({@code --chain-id}) and whether to print JSON.
 */
final class LedgerOptions {
    static final String DEFAULT_NODE = "http://127.0.0.1:8545";

    @Option(names = "--home", description = "Where keys live (keys/NAME.json). Default: $VERIGRID_HOME or ~/.verigrid.")
    Path home;

    @Option(names = "--node", description = "The ledger node's HTTP API. Default: $VERIGRID_NODE or " + DEFAULT_NODE + ".")
    String node;

    @Option(names = "--chain-id", description = "Refuse to talk to a node of any other chain.")
    String chainId;

    @Option(names = "--json", description = "Print JSON (the last line of output) instead of text.")
    boolean json;

    Path home() {
        if (home != null) return home;
        String env = System.getenv("VERIGRID_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".verigrid");
    }

    KeyStore keys() {
        return new KeyStore(home());
    }

    String nodeUrl() {
        if (node != null) return node;
        String env = System.getenv("VERIGRID_NODE");
        return env != null && !env.isBlank() ? env : DEFAULT_NODE;
    }

    /** The node's client, after checking that it answers and serves the expected chain. */
    LedgerHttp ledger() {
        LedgerHttp ledger = new LedgerHttp(nodeUrl());
        ChainStatus status = call(ledger, () -> ledger.status());
        if (chainId != null && !chainId.equals(status.chainId())) {
            throw new IllegalArgumentException("wrong chain: the node at " + nodeUrl() + " serves chain " + status.chainId()
                    + ", expected " + chainId);
        }
        return ledger;
    }

    /** Runs a request, turning an unreachable node into one clear sentence. */
    <T> T call(LedgerHttp ledger, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (ApiException e) {
            if ("UNREACHABLE".equals(e.code())) {
                throw new IllegalStateException("cannot reach the ledger node at " + ledger.url()
                        + " (is `verigrid node` running there? choose another with --node)");
            }
            throw new IllegalStateException(e.code() + ": " + e.getMessage());
        }
    }

    /** Prints {@code value} as one JSON line, or {@code text} when --json is off. */
    void print(Object value, String text) {
        try {
            System.out.println(json ? Json.MAPPER.writeValueAsString(value) : text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON: " + e.getMessage());
        }
    }

    /** An account given as a key name in this home or as a 64-hex-digit address. */
    String address(String nameOrAddress) {
        if (nameOrAddress.matches("[0-9a-fA-F]{64}")) return nameOrAddress.toLowerCase(java.util.Locale.ROOT);
        return keys().load(nameOrAddress).address();
    }

    /** Tokens (up to 9 decimals, e.g. 1.5) as base units. */
    static long units(String tokens, String option) {
        try {
            BigDecimal units = new BigDecimal(tokens).movePointRight(9);
            if (units.signum() <= 0) throw new IllegalArgumentException(option + " must be positive, got " + tokens);
            return units.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " must be a token amount with at most 9 decimals, got " + tokens);
        }
    }

    static String tokens(long units) {
        return BigDecimal.valueOf(units).movePointLeft(9).stripTrailingZeros().toPlainString();
    }
}
