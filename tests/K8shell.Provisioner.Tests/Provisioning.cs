using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Tests;

/// <summary>A provisioning stream read to its end: the handshake and every event, in order.</summary>
internal sealed record Provisioning(ProvisionHandshake Handshake, IReadOnlyList<ProvisionEvent> Events)
{
    public IEnumerable<ProvisionEvent> Statuses => Events.Where(@event => @event.Type == ProvisionEvent.Types.Type.Status);

    public ProvisionEvent Final => Statuses.Last();

    public IEnumerable<uint> Percents => Events.Where(@event => @event.Type == ProvisionEvent.Types.Type.Progress).Select(@event => @event.Percent);

    public static async Task<Provisioning> ReadAsync(AsyncServerStreamingCall<ProvisionWorkspaceResponse> call)
    {
        using (call)
        {
            var cancellationToken = TestContext.Current.CancellationToken;
            Assert.True(await call.ResponseStream.MoveNext(cancellationToken), "the stream ended without a handshake");
            var handshake = call.ResponseStream.Current.Handshake ?? throw new InvalidOperationException($"first message is not a handshake: {call.ResponseStream.Current}");
            var events = new List<ProvisionEvent>();
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                events.Add(call.ResponseStream.Current.Event ?? throw new InvalidOperationException($"a second handshake: {call.ResponseStream.Current}"));
            }
            return new Provisioning(handshake, events);
        }
    }

    public static Task<Provisioning> RunAsync(ProvisionerService.ProvisionerServiceClient client, string userstr, uint timeoutSeconds = 0) =>
        ReadAsync(client.ProvisionWorkspaceStream(new ProvisionWorkspaceRequest { Userstr = userstr, SendProgress = true, SendEvents = true, TimeoutSeconds = timeoutSeconds },
            cancellationToken: TestContext.Current.CancellationToken));
}
