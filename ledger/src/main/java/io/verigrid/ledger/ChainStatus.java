package io.verigrid.ledger;

/**
 * The chain at a glance. {@code stateRoot} is the live state root (including transactions since the last
 * block); invariant ({@link #supplyConserved()}): {@code genesisSupply + minted − burned == totalSupply}, where
 * {@code minted} is what the issuance schedule has minted into subnet epochs (a function of the height).
 */
public record ChainStatus(String chainId, long height, String lastBlockHash, String stateRoot,
                          long totalSupply, long burned, long genesisSupply, long minted) {

    /** The supply invariant, checked in one place. */
    public boolean supplyConserved() {
        return genesisSupply + minted - burned == totalSupply;
    }
}
