package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.ledger.yuma.SparseRow;

/** One UID of a subnet: its hotkey, stored weights and bonds, permit, endpoint, model and last epoch's results. */
final class Neuron {
    String hotkey;
    long registeredAt;
    long lastUpdate;
    SparseRow weights = SparseRow.EMPTY;   // row max-upscaled u16, as set_weights stores it
    SparseRow bonds = SparseRow.EMPTY;     // column max-upscaled u16, as the last epoch stored it
    boolean permit;
    String axon = "";
    float[] model = new float[0];          // model-quality subnet: the miner's published weights (never mutated)
    byte[] modelCommitment = new byte[0];  // LM subnet: LmQuality.commitment of the served model, or empty
    boolean active;
    int consensus;                         // last epoch's values as u16 proportions
    int trust;
    int incentive;
    int dividends;
    long emission;                         // last epoch's combined emission, units

    Neuron(String hotkey, long registeredAt) {
        this.hotkey = hotkey;
        this.registeredAt = registeredAt;
        this.lastUpdate = registeredAt;
    }

    Neuron copy() {
        Neuron c = new Neuron(hotkey, registeredAt);
        c.lastUpdate = lastUpdate;
        c.weights = weights;
        c.bonds = bonds;
        c.permit = permit;
        c.axon = axon;
        c.model = model;
        c.modelCommitment = modelCommitment;
        c.active = active;
        c.consensus = consensus;
        c.trust = trust;
        c.incentive = incentive;
        c.dividends = dividends;
        c.emission = emission;
        return c;
    }

    void write(ByteWriter out) {
        out.string(hotkey).i64(registeredAt).i64(lastUpdate);
        writeRow(out, weights);
        writeRow(out, bonds);
        out.bool(permit).string(axon).i32(model.length);
        for (float f : model) out.i32(Float.floatToRawIntBits(f));
        out.bytes(modelCommitment);
        out.bool(active).i32(consensus).i32(trust).i32(incentive).i32(dividends).i64(emission);
    }

    static Neuron read(ByteReader in) {
        Neuron n = new Neuron(in.string("hotkey"), in.i64("registeredAt"));
        n.lastUpdate = in.i64("lastUpdate");
        n.weights = readRow(in);
        n.bonds = readRow(in);
        n.permit = in.bool("permit");
        n.axon = in.string("axon");
        n.model = new float[in.count("model", 4)];
        for (int i = 0; i < n.model.length; i++) n.model[i] = Float.intBitsToFloat(in.i32("model value"));
        n.modelCommitment = in.bytes("modelCommitment");
        n.active = in.bool("active");
        n.consensus = in.i32("consensus");
        n.trust = in.i32("trust");
        n.incentive = in.i32("incentive");
        n.dividends = in.i32("dividends");
        n.emission = in.i64("emission");
        return n;
    }

    static void writeRow(ByteWriter out, SparseRow row) {
        out.i32(row.size());
        for (int k = 0; k < row.size(); k++) out.i32(row.columns()[k]).i32((int) row.values()[k]);
    }

    static SparseRow readRow(ByteReader in) {
        int size = in.count("row", 8);
        int[] columns = new int[size];
        long[] values = new long[size];
        for (int k = 0; k < size; k++) {
            columns[k] = in.i32("column");
            values[k] = in.i32("value");
        }
        return new SparseRow(columns, values);
    }
}
