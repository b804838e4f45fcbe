using Microsoft.Extensions.Diagnostics.HealthChecks;
using NATS.Client.Core;

namespace K8shell.ServiceDefaults.Nats;

/// <summary>Healthy when a round trip to the NATS server succeeds; connects first if needed.</summary>
internal sealed class NatsHealthCheck(INatsConnection connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // The connection is lazy: the first check is what dials the server.
            var roundTrip = await connection.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"NATS round trip {roundTrip.TotalMilliseconds:F1} ms");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The description names no URL: connection strings may carry credentials.
            return new HealthCheckResult(context.Registration.FailureStatus, $"NATS unreachable ({connection.ConnectionState})", exception);
        }
    }
}
