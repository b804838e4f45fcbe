using System.Runtime.CompilerServices;
using Grpc.Core;
using K8shell.AppHost;
using K8shell.AppHost.Model;

namespace K8shell.Testing.AppHost;

/// <summary>What a test reaches a started app with, as Aspire.Hosting.Testing names it: clients, endpoints, connection strings.</summary>
public static class DistributedApplicationTestingExtensions
{
    // Channels live as long as their app: the testing builder disposes them with it.
    private static readonly ConditionalWeakTable<DistributedApplication, List<IDisposable>> Clients = [];

    /// <summary>An HttpClient for a resource's endpoint (the caller disposes it).</summary>
    public static HttpClient CreateHttpClient(this DistributedApplication app, string resourceName, string endpointName = "http") =>
        new() { BaseAddress = app.GetEndpoint(resourceName, endpointName) };

    /// <summary>
    /// A gRPC client of a resource's <paramref name="endpointName"/> that calls as <paramref name="caller"/> does: with the
    /// token the model gives <paramref name="caller"/> for this resource (<c>WithCallerToken</c>); none without a caller.
    /// </summary>
    public static TClient CreateGrpcClient<TClient>(this DistributedApplication app, string resourceName, string? caller = null, string endpointName = "grpc")
        where TClient : ClientBase<TClient>
    {
        var channel = GrpcChannels.WithBearer(app.GetEndpoint(resourceName, endpointName), caller is null ? null : app.GetCallerToken(caller, resourceName));
        lock (Clients)
        {
            Clients.GetOrCreateValue(app).Add(channel);
        }
        return (TClient)Activator.CreateInstance(typeof(TClient), channel)!;
    }

    /// <summary>The token <paramref name="caller"/> calls <paramref name="service"/> with in this run.</summary>
    public static string GetCallerToken(this DistributedApplication app, string caller, string service) =>
        Find(app, caller).Annotations.OfType<CallerTokenAnnotation>().SingleOrDefault(token => token.Service == service)?.Token.GetValue()
        ?? throw new ArgumentException($"{caller} has no caller token for {service} in the model (WithCallerToken).");

    /// <summary>What <c>ConnectionStrings__&lt;name&gt;</c> holds for the resources that reference it.</summary>
    public static ValueTask<string?> GetConnectionStringAsync(this DistributedApplication app, string resourceName) =>
        ValueTask.FromResult<string?>(Find(app, resourceName) is IResourceWithConnectionString resource
            ? resource.ConnectionStringExpression.GetValue()
            : throw new ArgumentException($"{resourceName} has no connection string."));

    internal static void DisposeClients(DistributedApplication app)
    {
        lock (Clients)
        {
            if (Clients.TryGetValue(app, out var clients))
            {
                clients.ForEach(client => client.Dispose());
                Clients.Remove(app);
            }
        }
    }

    private static IResource Find(DistributedApplication app, string name) =>
        app.Resources.SingleOrDefault(resource => resource.Name == name) ?? throw new ArgumentException($"The app has no resource named '{name}'.");
}
