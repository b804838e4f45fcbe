using K8shell.Contracts.Sessions.V1;
using K8shell.Testing.AppHost;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The collection of the fault tests: one <see cref="FaultStack"/>, and no other collection running beside them. A
/// second stack under load beside the shared one stretched both on 2 cores (a run in parallel lost spans in
/// ObservabilityTests and saw a stray failure event in FailedLoginTests); after the rest, it costs about 90 s.
/// </summary>
[CollectionDefinition(nameof(FaultStack), DisableParallelization = true)]
public sealed class FaultStackCollection : ICollectionFixture<FaultStack>;

/// <summary>
/// Issue 10, "Faults": each service of the stack goes down under real clients (OpenSSH) and comes back, and the
/// gateway says what happened, keeps what it can going and leaves nothing half made. One file per fault; each test
/// starts again what it stopped, whatever happens (<see cref="Outage"/>).
/// </summary>
[Collection(nameof(FaultStack))]
public sealed partial class FaultStackTests(FaultStack stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<Outage> OutageOfAsync(string resource) => Outage.BeginAsync(stack.App, resource);

    /// <summary>The user's session records in Sessions that started after <paramref name="since"/>.</summary>
    private async Task<IReadOnlyList<Session>> SessionsSinceAsync(DateTimeOffset since)
    {
        var sessions = stack.App.CreateGrpcClient<SessionService.SessionServiceClient>("sessions", caller: "ssh-proxy");
        var found = await sessions.GetSessionsAsync(new GetSessionsRequest
        {
            Username = stack.User,
            StartedAfter = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(since),
        }, cancellationToken: Cancellation);
        return found.Sessions;
    }
}
