package io.verigrid.node.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Fault;
import io.verigrid.ledger.DisputeOutcome;
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
        DisputeOutcome dispute = report.dispute().outcome();
        assertEquals(Verdict.CHALLENGER_WINS.name(), dispute.verdict());
        assertEquals("REFEREE", dispute.reason(), "the referee decided, not a missed deadline");
        assertEquals(fault.step(), dispute.step(), "bisection finds the corrupted step");
        assertEquals(fault.opIndex(), dispute.operatorIndex(), "and the corrupted operator");
        assertEquals("matmul", dispute.opKind());
        assertTrue(dispute.providerSlashed() > 0);
        assertEquals(dispute.providerSlashed(), dispute.toChallenger() + dispute.burned(), "the slash goes to the challenger or is burned");

        assertTrue(report.delta("provider-b") <= -dispute.providerSlashed(), "the cheater loses at least its slash");
        assertTrue(report.delta("verifier") > 0, "the challenger gains");
        assertTrue(report.delta("provider-a") > 40 * Demo.TOKEN, "the honest provider earns job 1 and the rest of job 2");
        assertTrue(report.jobs().get(1).bannedProviders().contains(report.namesByAddress().entrySet().stream()
                .filter(e -> e.getValue().equals("provider-b")).findFirst().orElseThrow().getKey()));

        long totalDelta = report.before().keySet().stream().mapToLong(report::delta).sum();
        assertTrue(report.chain().supplyConserved(), "supply is genesis + minted - burned");
        assertEquals(0, report.chain().minted(), "the demo chain has no subnet, so nothing is minted");
        assertEquals(-report.chain().burned(), totalDelta + escrowLeft(report), "what participants lost was burned or is still in escrow");
        assertTrue(lines.stream().anyMatch(l -> l.contains("opened dispute")), "the demo narrates the dispute");
    }

    private static long escrowLeft(DemoReport report) {
        return report.jobs().stream().mapToLong(JobView::escrow).sum();
    }
}
