using K8shell.Testing.AppHost;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// A stack of its own for <see cref="FaultStackTests"/>, which stop and start its services: the shared
/// <see cref="StackFixture"/> must never see an outage. Its timings are short (configuration, not sleeps): the
/// gateway drains for <see cref="ShutdownGrace"/> on SIGTERM and retries NATS, Sessions and the ban watch within a
/// second. <see cref="RecordingFailMode"/> is read at each start of the gateway, so a test can restart it closed.
/// </summary>
public sealed class FaultStack : AppHostStack
{
    /// <summary>How long the gateway lets open sessions go on after SIGTERM: long enough for a short command, short for the suite.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(4);

    /// <summary>SshProxy:Recording:FailMode at the gateway's next start: <c>open</c> (the default) or <c>closed</c>.</summary>
    public string RecordingFailMode { get; set; } = "open";

    protected override void Configure(DistributedApplicationTestingBuilder builder) => AddEnvironment("ssh-proxy", context =>
    {
        context.EnvironmentVariables["SshProxy__ShutdownGrace"] = ShutdownGrace.ToString();
        context.EnvironmentVariables["SshProxy__Recording__FailMode"] = RecordingFailMode;
        context.EnvironmentVariables["SshProxy__Recording__MaxRetryDelay"] = "00:00:01";
        context.EnvironmentVariables["SshProxy__Failures__RetryDelay"] = "00:00:00.500";
        context.EnvironmentVariables["SshProxy__Bans__RetryDelay"] = "00:00:00.500";
        context.EnvironmentVariables["SshProxy__Sessions__UpdateInterval"] = "00:00:01";
    });
}
