using K8shell.Contracts.Sessions.V1;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Recording;

/// <summary>Makes the <see cref="ChannelRecorders"/> of each connection from the configured options and Sessions client.</summary>
internal sealed class ConnectionRecordings(
    RecordingService.RecordingServiceClient client, IOptions<RecordingOptions> options, RecordingMetrics metrics, ILogger<ChannelRecording> logger, TimeProvider time)
{
    /// <summary>
    /// The recorders of connection <paramref name="sessionId"/>; <paramref name="userToken"/> gives the user's JWT for
    /// Sessions (audience <c>sessions</c>), asked for each recording call. Dispose them when the connection closes.
    /// </summary>
    public ChannelRecorders ForConnection(string sessionId, Func<CancellationToken, ValueTask<string>> userToken) =>
        new(client, sessionId, userToken, options.Value, metrics, logger, time);
}
