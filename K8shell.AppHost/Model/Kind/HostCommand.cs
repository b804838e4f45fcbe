using System.Diagnostics;

namespace K8shell.AppHost.Model;

/// <summary>A command-line tool of this machine (kind, docker, podman), found on a PATH and run to its end.</summary>
internal sealed record HostCommand(string Path, IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>The tool named <paramref name="name"/> in the first folder of <paramref name="searchPath"/> that has it, or null.</summary>
    public static HostCommand? Find(string name, string? searchPath, IReadOnlyDictionary<string, string?> environment) =>
        (searchPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, name))
            .FirstOrDefault(File.Exists) is { } path
            ? new HostCommand(path, environment)
            : null;

    /// <summary>Runs it with <paramref name="arguments"/>; stdout and stderr together, as the user would see them.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        // Input redirected (and never written): a tool that would prompt reads end of file instead of hanging the start.
        var startInfo = new ProcessStartInfo(Path, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        Environment.ToList().ForEach(variable => startInfo.Environment[variable.Key] = variable.Value);
        using var process = Process.Start(startInfo)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C during a long `kind create cluster`: leave no half-started tool behind.
            process.Kill(entireProcessTree: true);
            throw;
        }
        lock (output)
        {
            return (process.ExitCode, output.ToString().TrimEnd());
        }

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
    }
}
