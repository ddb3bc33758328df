package io.verigrid.ledger;

import java.util.List;

/**
 * A block header: {@code hash = H(prevHash ‖ u64 height ‖ txRoot ‖ stateRoot)}; {@code txRoot} is the Merkle root
 * of the accepted transactions' hashes since the previous block, {@code stateRoot} the state root after the
 * block's own work (unbonding, auto-verification, dispute timeouts). All hashes in hex.
 */
public record BlockView(long height, String hash, String prevHash, String txRoot, String stateRoot,
                        List<String> txHashes) {}
