package io.verigrid.ledger.tx;

/**
 * What a transaction does. Each body has a one-byte tag in the canonical encoding ({@code docs/protocol.md},
 * "Transactions"); constructors reject values no transaction may carry, so a decoded body is always in range.
 * Whether it is allowed in the current ledger state is the ledger's decision, not the codec's.
 */
public sealed interface TxBody {

    int tag();

    void write(ByteWriter out);

    /** Moves {@code amount} units from the sender's balance to {@code to}. */
    record Transfer(byte[] to, long amount) implements TxBody {
        public static final int TAG = 1;

        public Transfer {
            to = Fields.key(to, "to");
            Fields.positive(amount, "amount");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.raw(to).i64(amount); }
    }

    /** Locks {@code amount} units of the sender's balance as stake (providers and verifiers need it). */
    record Stake(long amount) implements TxBody {
        public static final int TAG = 2;

        public Stake { Fields.positive(amount, "amount"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(amount); }
    }

    /** Starts unbonding {@code amount} units of stake; they return to the balance after the unbonding period. */
    record Unstake(long amount) implements TxBody {
        public static final int TAG = 3;

        public Unstake { Fields.positive(amount, "amount"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(amount); }
    }

    /** Reads one body (tag byte first); the caller checks that nothing trails it. */
    static TxBody read(ByteReader in) {
        int tag = in.u8("body tag");
        return switch (tag) {
            case Transfer.TAG -> new Transfer(in.raw(32, "to"), in.i64("amount"));
            case Stake.TAG -> new Stake(in.i64("amount"));
            case Unstake.TAG -> new Unstake(in.i64("amount"));
            default -> throw new MalformedTxException("unknown body tag " + tag);
        };
    }
}
