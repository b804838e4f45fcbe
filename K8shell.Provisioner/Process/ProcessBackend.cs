using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Workspaces;
using K8shell.UserStrings;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Process;

/// <summary>
/// The embedded default backend: each workspace is a k8shelld child process serving gRPC on a free
/// loopback port, with its own home under <c>&lt;data&gt;/workspaces/&lt;canonical-id&gt;/</c>. Stop ends
/// the daemon and keeps the folder; delete removes it. Daemons left by an earlier Provisioner are
/// adopted at start when their pid file and handshake say they are still this workspace's.
/// </summary>
internal sealed class ProcessBackend(
    IOptions<ProcessBackendOptions> options,
    IHostEnvironment environment,
    DaemonProbe probe,
    ILogger<ProcessBackend> logger) : IWorkspaceBackend
{
    private const int LaunchAttempts = 3;

    private readonly ProcessBackendOptions _options = options.Value;
    private readonly string _root = Path.Combine(Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath), "workspaces");
    private readonly ConcurrentDictionary<string, DaemonProcess> _daemons = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    public string Name => "process";

    /// <summary>Finishes interrupted deletions and takes over the daemons an earlier Provisioner left running.</summary>
    public async Task AdoptAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        WorkspaceFolder.RemoveInterruptedDeletions(_root);
        foreach (var folder in WorkspaceFolder.All(_root))
        {
            if (DaemonProcess.Adopt(folder) is not { } daemon || folder.ReadRecord() is not { } record)
            {
                continue;
            }
            if (await IdentifyAsync(record, cancellationToken) is { } served && served != folder.Name)
            {
                logger.LogWarning("Process {Pid} from {PidFile} serves {Other}, not {Workspace}: not adopted", daemon.Pid, folder.PidFile, served, folder.Name);
                continue;
            }
            _daemons[folder.Name] = daemon;
            logger.LogInformation("Adopted the running daemon of {Workspace} (pid {Pid}, port {Port})", folder.Name, daemon.Pid, record.Port);
        }
    }

    /// <summary>Stops every daemon, unless they are configured to outlive the Provisioner.</summary>
    public async Task ShutDownAsync(CancellationToken cancellationToken)
    {
        if (!_options.KeepRunningOnShutdown)
        {
            await Task.WhenAll(_daemons.Keys.Select(name => StopAsync(name, cancellationToken)));
        }
    }

    public async Task<Workspace?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var folder = Folder(name);
        return folder.ReadRecord() is { } record ? await DescribeAsync(folder, record, cancellationToken) : null;
    }

    public async Task<IReadOnlyList<Workspace>> ListAsync(CancellationToken cancellationToken)
    {
        var workspaces = new List<Workspace>();
        foreach (var folder in WorkspaceFolder.All(_root))
        {
            if (folder.ReadRecord() is { } record)
            {
                workspaces.Add(await DescribeAsync(folder, record, cancellationToken));
            }
        }
        return workspaces;
    }

    public async IAsyncEnumerable<WorkspaceProgress> ApplyAsync(WorkspaceSpec spec, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = Folder(spec.Name);
        using var held = await LockAsync(spec.Name, cancellationToken);
        if (Running(spec.Name) is { } running && folder.ReadRecord() is { } current)
        {
            await foreach (var progress in WaitUntilReadyAsync(folder, running, current.Port, cancellationToken))
            {
                yield return progress;
            }
            yield break;
        }

        folder.Create();
        var created = folder.ReadRecord()?.Created ?? DateTimeOffset.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var record = new ProcessWorkspaceRecord(spec.Name, spec.UserString.Canonical, spec.Owner.Username, spec.Owner.Organization, spec.Blueprint.Name,
                spec.JobId, created, port, spec.Blueprint.Splash, spec.Blueprint.Resources.Cpu, spec.Blueprint.Resources.Memory);
            folder.WriteRecord(record);
            folder.WriteDaemonConfig(DaemonConfiguration.For(spec, folder, port, _options));
            yield return WorkspaceProgress.StageOf(WorkspaceStatus.Starting, "Starting", $"starting k8shelld on port {port}", spec.Name);

            _daemons[spec.Name] = DaemonProcess.Launch(folder, DaemonConfiguration.Command(_options), DaemonConfiguration.Environment(folder));
            WorkspaceProgress? outcome = null;
            await foreach (var progress in WaitUntilReadyAsync(folder, _daemons[spec.Name], port, cancellationToken))
            {
                if (progress.IsTerminal)
                {
                    outcome = progress;
                    break;
                }
                yield return progress;
            }
            var failed = outcome?.Status == WorkspaceStatus.Failing;
            // The port was free when chosen, but something may bind it before the daemon does.
            if (failed && attempt < LaunchAttempts && folder.LogTail().Contains("address already in use"))
            {
                logger.LogInformation("Port {Port} was taken before {Workspace}'s daemon could bind it; trying another", port, spec.Name);
                continue;
            }
            folder.WriteRecord(record with { LastFailure = failed ? outcome!.Message : "" });
            if (outcome is not null)
            {
                yield return outcome;
            }
            yield break;
        }
    }

    public async Task StopAsync(string name, CancellationToken cancellationToken)
    {
        if (Running(name) is { } daemon)
        {
            await daemon.StopAsync(_options.StopGrace, cancellationToken);
            logger.LogInformation("Stopped the daemon of {Workspace} (pid {Pid})", name, daemon.Pid);
        }
        _daemons.TryRemove(name, out _);
        File.Delete(Folder(name).PidFile);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        using var held = await LockAsync(name, cancellationToken);
        await StopAsync(name, cancellationToken);
        Folder(name).Delete();
        logger.LogInformation("Deleted workspace {Workspace} and its home", name);
    }

    /// <summary>Polls the daemon until it serves (Running), dies (Failing, with its last log lines) or the token fires.</summary>
    private static async IAsyncEnumerable<WorkspaceProgress> WaitUntilReadyAsync(WorkspaceFolder folder, DaemonProcess daemon, int port,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var channel = DaemonProbe.ChannelTo(port);
        var initializing = false;
        while (true)
        {
            if (!daemon.IsAlive)
            {
                yield return WorkspaceProgress.StageOf(WorkspaceStatus.Failing, "Failed", $"k8shelld exited during start: {folder.LogTail()}", folder.Name);
                yield break;
            }
            switch (await DaemonProbe.IsServingAsync(channel, cancellationToken))
            {
                case true:
                    yield return WorkspaceProgress.StageOf(WorkspaceStatus.Running, "Running", "k8shelld is ready", folder.Name);
                    yield break;
                case false when !initializing:
                    initializing = true;
                    yield return WorkspaceProgress.StageOf(WorkspaceStatus.Starting, "Initializing", "running the init scripts", folder.Name);
                    break;
            }
            await Task.Delay(DaemonProbe.PollInterval, cancellationToken);
        }
    }

    private async Task<Workspace> DescribeAsync(WorkspaceFolder folder, ProcessWorkspaceRecord record, CancellationToken cancellationToken)
    {
        var (status, message) = Running(folder.Name) is null
            ? record.LastFailure is { Length: > 0 } failure ? (WorkspaceStatus.Failing, failure) : (WorkspaceStatus.Stopped, "k8shelld is not running")
            : await IsServingAsync(record.Port, cancellationToken) switch
            {
                true => (WorkspaceStatus.Running, "k8shelld is ready"),
                false => (WorkspaceStatus.Starting, "running the init scripts"),
                null => (WorkspaceStatus.Starting, "k8shelld is starting"),
            };
        var userString = UserStringParser.TryParse(record.UserStr, out var parsed) ? parsed : null;
        return new Workspace
        {
            Name = record.Name,
            Userstr = record.UserStr,
            Username = record.Username,
            Organization = record.Organization,
            Blueprint = record.Blueprint,
            JobId = record.JobId,
            WorkspaceType = "standalone",
            Backend = Name,
            ServerName = "127.0.0.1",
            PodIp = "127.0.0.1",
            Port = (uint)record.Port,
            Hostname = Environment.MachineName,
            Cpu = record.Cpu,
            Memory = record.Memory,
            Splash = record.Splash,
            WorkspaceStatus = new WorkspaceState
            {
                Created = Timestamp.FromDateTimeOffset(record.Created),
                Status = status,
                Message = message,
                LastFailMessage = record.LastFailure,
            },
        }.WithOrigin(userString);
    }

    private static async Task<bool?> IsServingAsync(int port, CancellationToken cancellationToken)
    {
        using var channel = DaemonProbe.ChannelTo(port);
        return await DaemonProbe.IsServingAsync(channel, cancellationToken);
    }

    /// <summary>The workspace a live daemon of an earlier Provisioner serves; null when it cannot be asked (the pid file and health then decide).</summary>
    private async Task<string?> IdentifyAsync(ProcessWorkspaceRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return await probe.HandshakeAsync(record.Port, record.Username, cancellationToken);
        }
        catch (Grpc.Core.RpcException failure)
        {
            logger.LogWarning("Cannot confirm which workspace the daemon on port {Port} serves ({Status}: {Detail}); adopting it on its pid file",
                record.Port, failure.StatusCode, failure.Status.Detail);
            return null;
        }
    }

    private DaemonProcess? Running(string name)
    {
        if (_daemons.TryGetValue(name, out var daemon) && daemon.IsAlive)
        {
            return daemon;
        }
        _daemons.TryRemove(name, out _);
        return null;
    }

    private WorkspaceFolder Folder(string name) => new(_root, name);

    private async Task<IDisposable> LockAsync(string name, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
