package io.verigrid.node.subnet;

import io.verigrid.ledger.NeuronView;
import io.verigrid.ledger.SubnetView;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.ledger.LedgerHttp;
import java.util.List;

/** Reads of the ledger a subnet role needs before it starts, with errors that name the subnet and the key. */
public final class SubnetLookup {
    public static final String LM_TASK = "lm-quality";

    private SubnetLookup() {}

    /** The LM-quality subnet {@code netuid}; IllegalArgumentException if there is none or it has another task. */
    public static SubnetView lmSubnet(LedgerHttp ledger, int netuid) {
        SubnetView subnet;
        try {
            subnet = ledger.subnet(netuid);
        } catch (ApiException e) {
            if (e.status() == 404) throw new IllegalArgumentException("--subnet " + netuid + ": no such subnet on the ledger at " + ledger.url());
            throw e;
        }
        if (!LM_TASK.equals(subnet.task())) {
            throw new IllegalArgumentException("--subnet " + netuid + " runs the " + subnet.task() + " task; miner and validator roles need an "
                    + LM_TASK + " subnet (`verigrid subnet create --name NAME --lm-quality`)");
        }
        return subnet;
    }

    /** The UID of {@code address} on the subnet, or -1. */
    public static int uidOf(LedgerHttp ledger, int netuid, String address) {
        List<NeuronView> metagraph = ledger.metagraph(netuid);
        for (NeuronView n : metagraph) if (n.hotkey().equals(address)) return n.uid();
        return -1;
    }
}
