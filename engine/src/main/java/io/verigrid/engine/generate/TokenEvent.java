package io.verigrid.engine.generate;

/**
 * One generated token of one choice: its position in the completion (0-based), the pick, the logits it was
 * drawn from (for the commitment; the array is the consumer's to keep), the new text it made final (may be
 * empty: a partial character or a possible stop string is held back), and the finish reason when this token
 * ended the choice (null while it goes on).
 */
public record TokenEvent(int choice, int position, Sampler.Pick pick, float[] logits, String textDelta,
        FinishReason finish) {
}
