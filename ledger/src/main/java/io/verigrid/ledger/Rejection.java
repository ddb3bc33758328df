package io.verigrid.ledger;

/**
 * Why a transaction was refused. Thrown inside the rules before anything is committed, turned into a
 * rejected {@link TxResult} by {@link LedgerState#apply}; {@code code} is stable and machine-readable.
 */
public final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final String MALFORMED = "MALFORMED";
    public static final String TOO_LARGE = "TOO_LARGE";
    public static final String WRONG_CHAIN = "WRONG_CHAIN";
    public static final String BAD_SIGNATURE = "BAD_SIGNATURE";
    public static final String BAD_NONCE = "BAD_NONCE";
    /** The exact transaction (same hash) was already applied; the original result stands. */
    public static final String DUPLICATE = "DUPLICATE";
    public static final String FEE_TOO_LOW = "FEE_TOO_LOW";
    public static final String INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE";
    public static final String INSUFFICIENT_STAKE = "INSUFFICIENT_STAKE";
    public static final String STAKE_LOCKED = "STAKE_LOCKED";
    public static final String OVERFLOW = "OVERFLOW";
    /** A value the engine or the dispute game refused (e.g. evidence tensors of an impossible shape). */
    public static final String INVALID = "INVALID";
    public static final String BAD_JOB = "BAD_JOB";
    public static final String UNKNOWN_JOB = "UNKNOWN_JOB";
    public static final String JOB_NOT_OPEN = "JOB_NOT_OPEN";
    public static final String NOT_LESSEE = "NOT_LESSEE";
    public static final String WRONG_UNIT = "WRONG_UNIT";
    public static final String ROOT_MISMATCH = "ROOT_MISMATCH";
    public static final String ALREADY_VERIFIED = "ALREADY_VERIFIED";
    public static final String SELF_VERIFY = "SELF_VERIFY";
    public static final String WINDOW_CLOSED = "WINDOW_CLOSED";
    public static final String BANNED = "BANNED";
    public static final String DISPUTE_OPEN = "DISPUTE_OPEN";
    public static final String UNKNOWN_DISPUTE = "UNKNOWN_DISPUTE";
    public static final String NOT_PARTY = "NOT_PARTY";
    /** Also the dispute game's own codes: NOT_YOUR_TURN, WRONG_PHASE, SETTLED, DEADLINE_PASSED, WRONG_COUNT, BAD_PROOF, BAD_PICK, MISSING_CLAIM, UNEXPECTED_CLAIM. */
    public static final String NOT_YOUR_TURN = "NOT_YOUR_TURN";

    // subnets (SubnetRules, ScoreChallenges)
    public static final String UNKNOWN_SUBNET = "UNKNOWN_SUBNET";
    public static final String NOT_SUBNET_OWNER = "NOT_SUBNET_OWNER";
    public static final String ALREADY_REGISTERED = "ALREADY_REGISTERED";
    public static final String NOT_REGISTERED = "NOT_REGISTERED";
    public static final String SUBNET_FULL = "SUBNET_FULL";
    public static final String UNKNOWN_UID = "UNKNOWN_UID";
    public static final String DUPLICATE_UID = "DUPLICATE_UID";
    public static final String WEIGHTS_LENGTH = "WEIGHTS_LENGTH";
    public static final String BAD_WEIGHT = "BAD_WEIGHT";
    public static final String NO_VALIDATOR_PERMIT = "NO_VALIDATOR_PERMIT";
    public static final String COMMIT_REVEAL_ON = "COMMIT_REVEAL_ON";
    public static final String COMMIT_REVEAL_OFF = "COMMIT_REVEAL_OFF";
    public static final String TOO_MANY_COMMITS = "TOO_MANY_COMMITS";
    public static final String NO_COMMIT = "NO_COMMIT";
    public static final String COMMIT_MISMATCH = "COMMIT_MISMATCH";
    public static final String REVEAL_TOO_EARLY = "REVEAL_TOO_EARLY";
    public static final String NOT_MODEL_SUBNET = "NOT_MODEL_SUBNET";
    public static final String BAD_MODEL = "BAD_MODEL";
    public static final String UNKNOWN_REPORT = "UNKNOWN_REPORT";
    public static final String ALREADY_CHALLENGED = "ALREADY_CHALLENGED";
    public static final String MODEL_FILES_MISMATCH = "MODEL_FILES_MISMATCH";
    // verified inference (InferenceRules)
    public static final String UNKNOWN_MODEL = "UNKNOWN_MODEL";
    public static final String NOT_MODEL_OWNER = "NOT_MODEL_OWNER";
    public static final String UNKNOWN_KEY = "UNKNOWN_KEY";
    public static final String INSUFFICIENT_ESCROW = "INSUFFICIENT_ESCROW";
    public static final String DUPLICATE_REQUEST = "DUPLICATE_REQUEST";
    public static final String UNKNOWN_HOLD = "UNKNOWN_HOLD";

    private final String code;

    public Rejection(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
