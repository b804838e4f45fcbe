using K8shell.AppHost.Model;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// One resource of a started app stopped as an operator or the kernel would stop it (SIGTERM, SIGKILL after a grace),
/// until <see cref="EndAsync"/> or disposal starts it again on the same ports and waits until it is healthy: a test
/// that fails half way still leaves the stack whole for the next one.
/// </summary>
public sealed class Outage : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly string _resource;
    private bool _ended;

    private Outage(DistributedApplication app, string resource) => (_app, _resource) = (app, resource);

    public static async Task<Outage> BeginAsync(DistributedApplication app, string resource)
    {
        await app.StopResourceAsync(resource);
        return new Outage(app, resource);
    }

    public async Task EndAsync()
    {
        if (!_ended)
        {
            _ended = true;
            await _app.StartResourceAsync(_resource, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    public async ValueTask DisposeAsync() => await EndAsync();
}
