using System.Diagnostics;

namespace K8shell.Testing;

/// <summary>Runs the system's own programs (ssh-keygen, ssh-audit, openssl, python3, useradd) and collects what they print.</summary>
public static class Programs
{
    /// <summary>Starts <paramref name="program"/>; its output is read as it comes, so it never blocks on a full pipe.</summary>
    public static RunningProgram Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }
        return new RunningProgram(Process.Start(startInfo)!, $"{program} {string.Join(' ', arguments)}");
    }

    /// <summary>Runs to the end; the exit code and both outputs.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        using var running = Start(program, arguments, environment);
        return await running.WaitAsync(cancellationToken);
    }

    /// <summary>Runs to the end and returns stdout; an exit code other than 0 throws with what it printed on stderr.</summary>
    public static async Task<string> RunToSuccessAsync(string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        using var running = Start(program, arguments, environment);
        return await running.SucceededAsync(cancellationToken);
    }
}

/// <summary>A program started by <see cref="Programs.Start"/>.</summary>
public sealed class RunningProgram : IDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly Task<string> _output;
    private readonly Task<string> _errors;

    internal RunningProgram(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
        _output = process.StandardOutput.ReadToEndAsync();
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Waits for the end; the exit code and both outputs.</summary>
    public async Task<(int ExitCode, string Output, string Errors)> WaitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return (_process.ExitCode, await _output, await _errors);
    }

    /// <summary>Waits for the end and returns stdout; an exit code other than 0 throws with stderr.</summary>
    public async Task<string> SucceededAsync(CancellationToken cancellationToken = default)
    {
        var (exitCode, output, errors) = await WaitAsync(cancellationToken);
        return exitCode == 0 ? output : throw new InvalidOperationException($"{_commandLine} exited {exitCode}: {errors}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}

/// <summary>Key pairs made by Debian's ssh-keygen, as users have them.</summary>
public static class SshKeys
{
    /// <summary>
    /// Creates an unencrypted key at <paramref name="path"/> (kept if it exists); returns its public line
    /// ("type base64 comment") and its authorized_keys form ("type base64").
    /// </summary>
    public static async Task<(string PublicLine, string AuthorizedKey)> GenerateAsync(string path, string type = "ed25519", string? bits = null,
        string? comment = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            string[] options = [.. bits is null ? [] : new[] { "-b", bits }, .. comment is null ? [] : new[] { "-C", comment }];
            await Programs.RunToSuccessAsync("ssh-keygen", ["-q", "-t", type, .. options, "-N", "", "-f", path], cancellationToken: cancellationToken);
        }
        var line = (await File.ReadAllTextAsync(path + ".pub", cancellationToken)).Trim();
        return (line, string.Join(' ', line.Split(' ')[..2]));
    }
}
