using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace K8shell.ServiceDefaults.Nats;

/// <summary>Buckets several services share, such as <c>ssh-bans</c>: whoever comes first creates it, the others open it as it is.</summary>
public static class KeyValueBuckets
{
    /// <summary>JetStream's answers to a create of a bucket that exists with another configuration: "stream name already in use", "subjects overlap with an existing stream".</summary>
    private static readonly int[] ExistsConfiguredOtherwise = [10058, 10065];

    private const string ServingProbeKey = "k8shell-serving-probe";
    private static readonly TimeSpan ServingProbeInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ServingProbeTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ServingPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Opens <paramref name="config"/>'s bucket, creating it with that configuration when it does not exist yet. Two
    /// services starting together both find it missing; the one whose create loses opens the winner's bucket.
    /// </summary>
    /// <remarks>
    /// nats-server 2.9 lists a new stream before its storage and subscriptions are set up, so for a moment a look-up
    /// finds it, a create with the same configuration returns it, and yet a write gets "no responders" and a read no
    /// answer at all. A service that opened the bucket while another was creating it lost its first write so (a ban, until
    /// a retry). The bucket is therefore returned only once it answers a read.
    /// </remarks>
    public static async Task<INatsKVStore> OpenOrCreateAsync(this INatsKVContext keyValue, NatsKVConfig config, CancellationToken cancellationToken)
    {
        INatsKVStore store;
        try
        {
            store = await keyValue.CreateStoreAsync(config, cancellationToken);
        }
        catch (NatsJSApiException exists) when (ExistsConfiguredOtherwise.Contains(exists.Error.ErrCode))
        {
            store = await keyValue.GetStoreAsync(config.Bucket, cancellationToken);
        }
        await store.WaitUntilServingAsync(cancellationToken);
        return store;
    }

    /// <summary>
    /// Reads a key nobody writes until the stream answers (found or not), each try given a short time: in that moment a
    /// read gets "no responders" or no answer at all. Bounded: a server that never answers is the caller's failure.
    /// For a bucket found with a look-up (GetStoreAsync) while another service may be creating it.
    /// </summary>
    public static async Task WaitUntilServingAsync(this INatsKVStore store, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ServingPatience;
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(ServingProbeTimeout);
            try
            {
                await store.TryGetEntryAsync<byte[]>(ServingProbeKey, cancellationToken: attempt.Token);
                return;
            }
            catch (Exception notYet) when (notYet is NatsNoRespondersException or NatsNoReplyException or OperationCanceledException
                && !cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                await Task.Delay(ServingProbeInterval, cancellationToken);
            }
        }
    }
}
