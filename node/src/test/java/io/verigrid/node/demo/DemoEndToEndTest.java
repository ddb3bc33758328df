package io.verigrid.node.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Fault;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.JobView;
import io.verigrid.verify.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's whole flow over real HTTP and the real Ratis ledger, with its outcome asserted from the ledger. */
class DemoEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void anHonestJobIsPaidAndACheatIsPinpointedSlashedAndReLeased() {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        DemoReport report = Demo.run(new Demo.Options(dir.resolve("demo"), 50, 2), lines::add);

        JobView job1 = report.jobs().get(0);
        JobView job2 = report.jobs().get(1);
        assertEquals("DONE", job1.status());
        assertEquals(job1.units(), job1.verifiedUnits());
        assertEquals(40 * Demo.TOKEN, job1.paid(), "the honest provider is paid the whole price of job 1");
        assertEquals("DONE", job2.status());
        assertEquals(job2.units(), job2.verifiedUnits());

        Fault fault = Demo.faultOf(Demo.job2());
        DisputeView dispute = report.dispute();
        assertEquals(Verdict.CHALLENGER_WINS, dispute.verdict());
        assertEquals(fault.step(), dispute.step(), "bisection finds the corrupted step");
        assertEquals(fault.opIndex(), dispute.operator(), "and the corrupted operator");
        assertEquals("matmul", dispute.operatorKind());
        assertTrue(dispute.slashed() > 0);
        assertEquals(dispute.slashed(), dispute.reward() + dispute.burned(), "the slash goes to the challenger or is burned");

        assertTrue(report.delta("provider-b") < -dispute.slashed() + 1, "the cheater loses at least its slash");
        assertTrue(report.delta("verifier") > 0, "the challenger gains");
        assertTrue(report.delta("provider-a") > 40 * Demo.TOKEN, "the honest provider earns job 1 and the rest of job 2");
        assertTrue(report.jobs().get(1).bannedProviders().contains(report.namesByAddress().entrySet().stream()
                .filter(e -> e.getValue().equals("provider-b")).findFirst().orElseThrow().getKey()));

        long totalDelta = report.before().keySet().stream().mapToLong(report::delta).sum();
        assertEquals(report.chain().genesisSupply() - report.chain().burned(), report.chain().totalSupply(), "supply is conserved but for burns");
        assertEquals(-report.chain().burned(), totalDelta + escrowLeft(report), "what participants lost was burned or is still in escrow");
        assertTrue(lines.stream().anyMatch(l -> l.contains("opened dispute")), "the demo narrates the dispute");
    }

    private static long escrowLeft(DemoReport report) {
        return report.jobs().stream().mapToLong(JobView::escrowLeft).sum();
    }
}
