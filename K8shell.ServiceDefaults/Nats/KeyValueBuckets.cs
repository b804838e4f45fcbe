using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace K8shell.ServiceDefaults.Nats;

/// <summary>Buckets several services share, such as <c>ssh-bans</c>: whoever comes first creates it, the others open it as it is.</summary>
public static class KeyValueBuckets
{
    /// <summary>JetStream's answers to a create that lost a race: "stream name already in use", "subjects overlap with an existing stream".</summary>
    private static readonly int[] CreatedMeanwhile = [10058, 10065];

    /// <summary>
    /// Opens <paramref name="config"/>'s bucket, creating it with that configuration when it does not exist yet. Two
    /// services starting together both find it missing; the one whose create loses opens the winner's bucket.
    /// </summary>
    public static async Task<INatsKVStore> OpenOrCreateAsync(this INatsKVContext keyValue, NatsKVConfig config, CancellationToken cancellationToken)
    {
        try
        {
            return await keyValue.GetStoreAsync(config.Bucket, cancellationToken);
        }
        catch (NatsJSApiException missing) when (missing.Error.Code == 404)
        {
        }
        try
        {
            return await keyValue.CreateStoreAsync(config, cancellationToken);
        }
        catch (NatsJSApiException raced) when (CreatedMeanwhile.Contains(raced.Error.ErrCode))
        {
            return await keyValue.GetStoreAsync(config.Bucket, cancellationToken);
        }
    }
}
