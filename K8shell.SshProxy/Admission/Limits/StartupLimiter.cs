using System.Diagnostics.CodeAnalysis;
using System.Net;
using K8shell.ServiceDefaults.Networking;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Admission.Limits;

/// <summary>
/// Counts connections that have not authenticated yet, per client address and in all, so one address (or a
/// flood) cannot hold every handshake slot (SPEC.md §2, like OpenSSH's MaxStartups). The connection handler
/// takes a lease before the SSH handshake and disposes it when authentication succeeds or the connection ends.
/// </summary>
internal sealed class StartupLimiter(IOptions<StartupLimitOptions> options)
{
    private readonly int _perAddress = options.Value.MaxStartupsPerIp;
    private readonly int _total = options.Value.MaxStartups;
    private readonly Dictionary<IPAddress, int> _byAddress = [];
    private readonly Lock _lock = new();
    private int _count;

    /// <summary>Unauthenticated connections now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// A lease on one pre-auth slot for <paramref name="client"/>, or false and the reason to log (the client
    /// is then disconnected before the handshake).
    /// </summary>
    public bool TryAcquire(IPAddress client, [NotNullWhen(true)] out IDisposable? lease, [NotNullWhen(false)] out string? reason)
    {
        var address = NetworkList.Normalize(client);
        lock (_lock)
        {
            var fromAddress = _byAddress.GetValueOrDefault(address);
            if (fromAddress >= _perAddress)
            {
                lease = null;
                reason = $"{fromAddress} unauthenticated connections from {address} already ({StartupLimitOptions.Section}:MaxStartupsPerIp = {_perAddress})";
                return false;
            }
            if (_count >= _total)
            {
                lease = null;
                reason = $"{_count} unauthenticated connections already ({StartupLimitOptions.Section}:MaxStartups = {_total})";
                return false;
            }
            _byAddress[address] = fromAddress + 1;
            _count++;
        }
        lease = new Lease(this, address);
        reason = null;
        return true;
    }

    private void Release(IPAddress address)
    {
        lock (_lock)
        {
            _count--;
            var left = _byAddress[address] - 1;
            if (left == 0)
            {
                _byAddress.Remove(address);
            }
            else
            {
                _byAddress[address] = left;
            }
        }
    }

    /// <summary>One slot; disposing it more than once (auth done, then connection end) releases it once.</summary>
    private sealed class Lease(StartupLimiter limiter, IPAddress address) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(address);
            }
        }
    }
}
