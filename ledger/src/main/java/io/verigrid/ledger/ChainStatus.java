package io.verigrid.ledger;

/**
 * The chain at a glance. {@code stateRoot} is the live state root (including transactions since the last
 * block); invariant: {@code genesisSupply − burned == totalSupply}.
 */
public record ChainStatus(String chainId, long height, String lastBlockHash, String stateRoot,
                          long totalSupply, long burned, long genesisSupply) {}
