using System.Text.RegularExpressions;

namespace K8shell.Testing;

/// <summary>
/// A real PostgreSQL server on a free loopback port, its cluster made by initdb in a temporary folder,
/// so tests run against the database services use rather than a fake. Binaries come from Debian's
/// postgresql package (scripts/prereqs.sh), highest version under /usr/lib/postgresql, or
/// <c>K8SHELL_POSTGRES_BIN</c>. postgres is our child, not daemonised by pg_ctl, so it ends with the test run.
/// PostgreSQL refuses to run as root, which the tests are: then it runs as Debian's <c>postgres</c> account.
/// Durability is off (fsync, synchronous_commit, full_page_writes): the cluster is thrown away anyway.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string SystemAccount = "postgres";

    private readonly ChildProcess _process;
    private readonly string _folder;

    private PostgresServer(ChildProcess process, string folder, string binaries, int port)
    {
        _process = process;
        _folder = folder;
        Binaries = binaries;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The folder holding initdb, postgres, psql and createdb.</summary>
    public string Binaries { get; }

    /// <summary>Everything postgres logged so far.</summary>
    public string Log => _process.Output;

    /// <summary>Npgsql connection string for the <c>postgres</c> database as the superuser (trust: no password).</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var binaries = FindBinaries();
        var folder = Directory.CreateTempSubdirectory("k8shell-postgres-").FullName;
        var data = Path.Combine(folder, "data");
        var asRoot = Environment.IsPrivilegedProcess;
        try
        {
            if (asRoot)
            {
                await Programs.RunToSuccessAsync("chown", [$"{SystemAccount}:{SystemAccount}", folder], cancellationToken: cancellationToken);
            }
            await using (var initdb = StartAsServer("initdb", asRoot, binaries, folder,
                ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=trust", "--no-sync", "--encoding=UTF8", "--locale=C.UTF-8"]))
            {
                if (await initdb.WaitForExitAsync(TimeSpan.FromSeconds(60)) != 0)
                {
                    throw new InvalidOperationException($"initdb exited {initdb.ExitCode}:\n{initdb.Output}");
                }
            }

            // FreePort can lose a race with another test's server; postgres then exits at once, and another port is tried.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort.Next();
                // lc_messages=C: the ready line waited for below is matched in English.
                var process = StartAsServer("postgres", asRoot, binaries, folder,
                [
                    "-D", data, "-h", "127.0.0.1", "-p", port.ToString(), "-k", folder,
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "lc_messages=C",
                ]);
                try
                {
                    await process.WaitForLineAsync(
                        line => line.Contains("database system is ready to accept connections"), TimeSpan.FromSeconds(30), cancellationToken);
                    return new PostgresServer(process, folder, binaries, port);
                }
                catch (TimeoutException) when (attempt < 3 && process.Output.Contains("could not bind"))
                {
                    await process.DisposeAsync();
                }
                catch (TimeoutException e)
                {
                    var why = await ExitedAsync(process) ? $"it exited with code {process.ExitCode}" : "30 s passed";
                    var log = Tail(process.Output);
                    await process.DisposeAsync();
                    throw new InvalidOperationException(
                        $"PostgreSQL ({binaries}) never became ready to accept connections on 127.0.0.1:{port} ({why}). Log tail:\n{log}", e);
                }
                catch
                {
                    await process.DisposeAsync();
                    throw;
                }
            }
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionStringFor(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}";

    /// <summary>
    /// Creates an empty database (so each service instance under test has its own) and returns its
    /// connection string. The name is a plain identifier, so the connection string needs no quoting.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain identifier (letters, digits, _; at most 63).", nameof(name));
        }
        await Programs.RunToSuccessAsync(Path.Combine(Binaries, "createdb"),
            ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-w", name], cancellationToken: cancellationToken);
        return ConnectionStringFor(name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGINT is PostgreSQL's fast shutdown; SIGTERM (smart) would wait for pooled connections to close.
                await _process.StopAsync(TimeSpan.FromSeconds(10), Signals.SigInt);
            }
        }
        finally
        {
            await _process.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Runs <paramref name="program"/> from <paramref name="binaries"/>, as the postgres account when we are root.</summary>
    private static ChildProcess StartAsServer(string program, bool asRoot, string binaries, string folder, string[] arguments)
    {
        var path = Path.Combine(binaries, program);
        return asRoot
            ? ChildProcess.Start(program, "setpriv",
                [$"--reuid={SystemAccount}", $"--regid={SystemAccount}", "--init-groups", "--", path, .. arguments], workingDirectory: folder)
            : ChildProcess.Start(program, path, arguments, workingDirectory: folder);
    }

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("K8SHELL_POSTGRES_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "postgres"))
                ? configured
                : throw new FileNotFoundException($"K8SHELL_POSTGRES_BIN is {configured}, which holds no postgres binary.");
        }
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(version => int.TryParse(Path.GetFileName(version), out _) && File.Exists(Path.Combine(version, "bin", "initdb")))
                .OrderByDescending(version => int.Parse(Path.GetFileName(version)))
                .Select(version => Path.Combine(version, "bin"))
                .FirstOrDefault()
            : null;
        return installed ?? throw new FileNotFoundException(
            "PostgreSQL not found (looked at $K8SHELL_POSTGRES_BIN and /usr/lib/postgresql/*/bin). " +
            "Run scripts/prereqs.sh: it installs Debian's postgresql package.");
    }

    /// <summary>Whether the process ended (its output closes a moment before it is reaped).</summary>
    private static async Task<bool> ExitedAsync(ChildProcess process)
    {
        try
        {
            await process.WaitForExitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(20));

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
