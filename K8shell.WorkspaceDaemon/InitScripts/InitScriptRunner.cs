using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Workspace.V1;
using K8shell.WorkspaceDaemon.Processes;
using K8shell.WorkspaceDaemon.Workspace;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using State = K8shell.Contracts.Workspace.V1.InitScriptStatus.Types.State;

namespace K8shell.WorkspaceDaemon.InitScripts;

/// <summary>
/// Runs the blueprint's init scripts once, in order, as the user, when the daemon starts. A script
/// that succeeded leaves a marker in the home (<c>~/.k8shell/init/NAME.done</c>), so a restart with
/// the same home skips it; its output goes to <c>~/.k8shell/init/NAME.log</c>. A failed script does
/// not stop the next. The daemon is not ready (health) until they have all run, so the first shell
/// sees their final state.
/// </summary>
internal sealed class InitScriptRunner(UserProcesses processes, IOptions<WorkspaceOptions> options, ILogger<InitScriptRunner> logger)
    : BackgroundService, IHealthCheck
{
    private readonly InitScriptStatus[] _statuses = [.. options.Value.InitScripts.Select(script => new InitScriptStatus { Name = script.Name, State = State.Pending })];
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string Directory => Path.Combine(processes.Account.Home, ".k8shell", "init");

    /// <summary>Completes when every script has run (or been skipped).</summary>
    public Task Finished => _finished.Task;

    public IReadOnlyList<InitScriptStatus> Statuses()
    {
        lock (_statuses)
        {
            return [.. _statuses.Select(status => status.Clone())];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            for (var index = 0; index < _statuses.Length; index++)
            {
                await RunAsync(index, options.Value.InitScripts[index], stoppingToken);
            }
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    private async Task RunAsync(int index, InitScriptOptions script, CancellationToken stoppingToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        processes.Account.GiveOwnership(Directory);
        var marker = Path.Combine(Directory, $"{script.Name}.done");
        if (File.Exists(marker))
        {
            Update(index, status => status.State = State.Skipped);
            logger.LogInformation("Init script {Name}: ran in an earlier start, skipped", script.Name);
            return;
        }
        Update(index, status =>
        {
            status.State = State.Running;
            status.StartedAt = Timestamp.FromDateTime(DateTime.UtcNow);
        });
        var launch = processes.Launch(processes.Account.Shell, ["-c", script.Script]);
        int exitCode;
        try
        {
            await using var session = ProcessSession.Start(launch);
            // The daemon stopping stops the script too.
            await using var stop = stoppingToken.UnsafeRegister(_ => session.Child.SignalGroup(SignalNames.Terminate), null);
            session.CloseInput();
            var logPath = Path.Combine(Directory, $"{script.Name}.log");
            await using (var log = File.Create(logPath))
            {
                processes.Account.GiveOwnership(logPath);
                using var oneWriter = new SemaphoreSlim(1);
                await Task.WhenAll(CopyToLogAsync(session.Output, log, oneWriter), CopyToLogAsync(session.Error!, log, oneWriter));
            }
            var exit = await session.Child.Exited;
            exitCode = exit.ExitCode ?? 128 + (exit.Signal ?? 0);
        }
        catch (IOException failure)
        {
            logger.LogWarning("Init script {Name} could not start: {Reason}", script.Name, failure.Message);
            exitCode = (int)ProcessCall.CannotRun;
        }
        if (exitCode == 0)
        {
            await File.WriteAllTextAsync(marker, DateTime.UtcNow.ToString("O"), CancellationToken.None);
            processes.Account.GiveOwnership(marker);
        }
        Update(index, status =>
        {
            status.State = exitCode == 0 ? State.Succeeded : State.Failed;
            status.ExitCode = exitCode;
            status.FinishedAt = Timestamp.FromDateTime(DateTime.UtcNow);
        });
        logger.Log(exitCode == 0 ? LogLevel.Information : LogLevel.Warning, "Init script {Name} exited {ExitCode}", script.Name, exitCode);
    }

    /// <summary>stdout and stderr go to one log, in the order they come; a file takes one write at a time.</summary>
    private static async Task CopyToLogAsync(Stream source, Stream log, SemaphoreSlim oneWriter)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer)) > 0)
        {
            await oneWriter.WaitAsync();
            try
            {
                await log.WriteAsync(buffer.AsMemory(0, read));
            }
            finally
            {
                oneWriter.Release();
            }
        }
    }

    private void Update(int index, Action<InitScriptStatus> change)
    {
        lock (_statuses)
        {
            change(_statuses[index]);
        }
    }

    /// <summary>A script's state in words, for the splash.</summary>
    public static string Describe(InitScriptStatus status) => status.State switch
    {
        State.Succeeded => "done",
        State.Failed => $"FAILED (exit {status.ExitCode}, see ~/.k8shell/init/{status.Name}.log)",
        State.Skipped => "done (in an earlier start)",
        State.Running => "running",
        _ => "pending",
    };

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Finished.IsCompleted ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("init scripts are still running"));
}
