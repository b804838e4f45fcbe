using System.Text.Json;
using NATS.Client.Core;

namespace K8shell.EndToEnd.Tests;

/// <summary>A subscription to the stack's <c>ssh.failures</c> (SPEC.md §3), made before the login that should fail.</summary>
public sealed class FailureEvents : IAsyncDisposable
{
    private readonly NatsConnection _nats;
    private readonly INatsSub<string> _subscription;

    private FailureEvents(NatsConnection nats, INatsSub<string> subscription)
    {
        _nats = nats;
        _subscription = subscription;
    }

    public static async Task<FailureEvents> SubscribeAsync(AppHostStack stack, CancellationToken cancellationToken)
    {
        var nats = await stack.ConnectNatsAsync();
        var subscription = await nats.SubscribeCoreAsync<string>("ssh.failures", cancellationToken: cancellationToken);
        await nats.PingAsync(cancellationToken); // the server has the subscription before anything fails
        return new FailureEvents(nats, subscription);
    }

    /// <summary>The next event about <paramref name="username"/> (other tests' failures may come between); 20 s at most, as a hang guard.</summary>
    public async Task<JsonElement> NextAboutAsync(string username, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (About(await _subscription.Msgs.ReadAsync(patience.Token), username) is { } failure)
            {
                return failure;
            }
        }
    }

    /// <summary>Events about <paramref name="username"/> that have arrived and not been read yet.</summary>
    public IEnumerable<JsonElement> ArrivedAbout(string username)
    {
        while (_subscription.Msgs.TryRead(out var message))
        {
            if (About(message, username) is { } failure)
            {
                yield return failure;
            }
        }
    }

    /// <summary>The event's <c>failure_info</c> lines.</summary>
    public static IEnumerable<string> Reasons(JsonElement failure) => failure.GetProperty("failure_info").EnumerateArray().Select(info => info.GetString()!);

    private static JsonElement? About(NatsMsg<string> message, string username) => About(message.Data!, username);

    /// <summary>The event in <paramref name="json"/> if it is about <paramref name="username"/>.</summary>
    public static JsonElement? About(string json, string username) =>
        JsonDocument.Parse(json).RootElement is var parsed && parsed.GetProperty("username").GetString() == username ? parsed : null;

    public async ValueTask DisposeAsync()
    {
        await _subscription.DisposeAsync();
        await _nats.DisposeAsync();
    }
}
