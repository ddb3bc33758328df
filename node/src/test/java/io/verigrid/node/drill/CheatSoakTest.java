package io.verigrid.node.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Fault;
import io.verigrid.engine.TrainingJob;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection property of the issue, through a real Ratis ledger and real provider and verifier nodes over
 * HTTP: random cheats of every kind, on every job kind, each caught at the exact operator (or, for state cheats, the
 * step whose assembled state first diverges), the cheater slashed within spec §6's round bound; dishonest
 * challengers against honest providers never cost the provider anything. {@code -Dcases=N} plays N cases
 * (the soak: {@code verigrid soak cheats --cases 1000}).
 */
@Timeout(600)
class CheatSoakTest {
    @TempDir
    Path dir;

    @Test
    void everyRandomCheatIsCaughtAtItsOperatorAndNoHonestProviderIsSlashed() {
        int cases = Integer.getInteger("cases", 50);
        long seed = Long.getLong("seed", 1L);
        int lanes = Integer.getInteger("lanes", 3);
        List<CheatSoak.Outcome> outcomes = CheatSoak.soak(dir, seed, cases, lanes, System.out::println);
        List<String> failures = outcomes.stream().filter(o -> !o.passed()).map(o -> o.cheat() + ": " + o.failure()).toList();
        assertEquals(List.of(), failures);
        assertEquals(cases, outcomes.size());
        Set<Fault.Kind> kinds = outcomes.stream().map(o -> o.cheat().fault().kind()).collect(Collectors.toSet());
        Set<TrainingJob.Kind> jobKinds = outcomes.stream().map(o -> o.cheat().job().kind()).collect(Collectors.toSet());
        if (cases >= 50) {
            assertEquals(EnumSet.allOf(Fault.Kind.class), kinds, "every cheat was drawn");
            assertEquals(EnumSet.allOf(TrainingJob.Kind.class), jobKinds, "every job kind was drawn");
            assertTrue(outcomes.stream().anyMatch(o -> o.cheat().dishonestChallenger()), "dishonest challengers were drawn");
        }
    }
}
