namespace K8shell.SshProxy.Tests.Channels;

/// <summary>A test class on the shared <see cref="ChannelHarness"/>: each test starts with an allowing policy, no recordings and a workspace that works.</summary>
public abstract class HarnessTests : IClassFixture<ChannelHarness>
{
    protected HarnessTests(ChannelHarness harness)
    {
        Harness = harness;
        Harness.Reset();
    }

    protected ChannelHarness Harness { get; }

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;
}
