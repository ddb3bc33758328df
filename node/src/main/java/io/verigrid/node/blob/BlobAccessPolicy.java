package io.verigrid.node.blob;

/**
 * Who may read a blob that is private to a job. Public blobs are served to every authenticated caller; a private
 * one only to callers this policy allows for its job.
 */
@FunctionalInterface
public interface BlobAccessPolicy {
    /** {@code caller} is the authenticated address (hex public key) asking for data of job {@code jobId}. */
    boolean allows(String caller, long jobId);

    /** For a node with no ledger to ask: private blobs are served to nobody. */
    static BlobAccessPolicy nobody() {
        return (caller, jobId) -> false;
    }
}
