namespace K8shell.Testing;

/// <summary>Waiting for something another process does, without sleeping longer than needed.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; whether it held (the caller asserts, with its own message).</summary>
    public static Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(() => Task.FromResult(condition()), timeout, cancellationToken);

    /// <summary>The same for a condition that must ask (a service, an API) to know.</summary>
    public static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20, cancellationToken);
        }
        return true;
    }
}
