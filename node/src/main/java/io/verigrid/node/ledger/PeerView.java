package io.verigrid.node.ledger;

import io.verigrid.ledger.ChainStatus;
import io.verigrid.ledger.LedgerPeer;

/**
 * One peer's own view, read locally rather than through the leader: which peer answers, whether it leads,
 * whether it halted on a state-root mismatch (and why), and the head of the chain it has applied.
 */
public record PeerView(String id, String address, boolean leader, String haltReason, ChainStatus local) {
    static PeerView of(LedgerPeer peer) {
        return new PeerView(peer.id(), peer.address(), peer.isLeader(), peer.haltReason(), peer.localStatus());
    }
}
