package io.verigrid.engine.generate;

/** Why a choice ended, in OpenAI's words ({@link #apiName()}). */
public enum FinishReason {
    /** An end-of-sequence token or a stop string. */
    STOP("stop"),
    /** {@code maxTokens} or the context length reached. */
    LENGTH("length"),
    /** The caller cancelled (a client went away); never reported to a client. */
    CANCELLED("cancelled");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
