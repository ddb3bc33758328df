package io.verigrid.ledger;

import java.util.List;

/**
 * A preprocessing job as its parties need it besides the {@link JobView}: the order it belongs to, the input (blob,
 * replicas, root and record count), the pipeline as JSON, the most shards it may cut and, once the first shard is
 * committed, the declared shard count, plan and manifest (SHA-256 hex; null before).
 */
public record PreprocessJobView(long jobId, long orderId, String inputBlob, List<String> inputReplicas, String inputRoot,
                                int inputRecords, String pipeline, int maxShards, int shardCount, String planSha256,
                                String manifestSha256) {}
