package io.verigrid.engine.data;

import java.util.List;
import java.util.function.Function;

/** The registry of step names: how each step's parameters are read from canonical bytes and from JSON. */
final class Steps {
    private record Entry(String name, Function<DataReader, Step> binary, Function<JsonFields, Step> json) {
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry(Normalize.NAME, Normalize::read, Normalize::fromJson),
            new Entry(ExactDedup.NAME, in -> new ExactDedup(), f -> new ExactDedup()),
            new Entry(MinHashDedup.NAME, MinHashDedup::read, MinHashDedup::fromJson),
            new Entry(QualityFilter.NAME, QualityFilter::read, QualityFilter::fromJson),
            new Entry(Tokenize.NAME, Tokenize::read, Tokenize::fromJson),
            new Entry(Shuffle.NAME, Shuffle::read, Shuffle::fromJson),
            new Entry(RandomCrop.NAME, RandomCrop::read, RandomCrop::fromJson),
            new Entry(HorizontalFlip.NAME, HorizontalFlip::read, HorizontalFlip::fromJson),
            new Entry(GaussianNoise.NAME, GaussianNoise::read, GaussianNoise::fromJson),
            new Entry(Mixup.NAME, Mixup::read, Mixup::fromJson));

    private Steps() {
    }

    static List<String> names() {
        return ENTRIES.stream().map(Entry::name).toList();
    }

    static Step read(String name, DataReader in, String path) {
        return entry(name, path).binary().apply(in);
    }

    static Step fromJson(String name, JsonFields fields) {
        Step step = entry(name, fields.path() + ".step").json().apply(fields);
        fields.rejectUnknown("step " + name);
        return step;
    }

    private static Entry entry(String name, String path) {
        for (Entry entry : ENTRIES) {
            if (entry.name().equals(name)) {
                return entry;
            }
        }
        throw new IllegalArgumentException(path + ": unknown step \"" + name + "\"; known steps: " + names());
    }
}
