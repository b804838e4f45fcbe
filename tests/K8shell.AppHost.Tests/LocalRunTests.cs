using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using K8shell.Testing;

namespace K8shell.AppHost.Tests;

/// <summary>The AppHost as ./run.sh starts it: every resource up and healthy, and nothing left behind.</summary>
public sealed class LocalRunTests : IAsyncDisposable
{
    private static readonly string[] Resources = ["nats", "identity", "sessions", "provisioner", "shield", "ssh-proxy"];
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-apphost-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Starts_every_resource_healthy_then_stops_them_all_on_sigterm()
    {
        await using var appHost = StartAppHost();
        await appHost.WaitForLineAsync(line => line.Contains("K8shell is running"), TimeSpan.FromMinutes(2), Cancellation);

        var endpoints = ReadEndpoints();
        Assert.Equal(Resources, endpoints.Keys);
        using var http = new HttpClient();
        foreach (var (name, urls) in endpoints.Where(e => e.Value.ContainsKey("http")))
        {
            var health = await http.GetAsync(urls["http"] + "/health", Cancellation);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"{name} /health: {health.StatusCode}");
        }
        Assert.Contains("services__identity__grpc__0", await File.ReadAllTextAsync($"/proc/{ChildOf(appHost, "K8shell.SshProxy.dll")}/environ", Cancellation));

        Assert.Equal(0, await appHost.StopAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("K8shell stopped.", appHost.Output);
        foreach (var (name, urls) in endpoints)
        {
            var port = new Uri(urls.Values.First()).Port;
            Assert.False(await AcceptsConnectionsAsync(port), $"{name} still listens on {port} after the AppHost stopped");
        }
    }

    [Fact]
    public async Task A_resource_that_dies_is_reported_with_its_last_lines_and_the_stack_stops()
    {
        await using var appHost = StartAppHost();
        await appHost.WaitForLineAsync(line => line.Contains("K8shell is running"), TimeSpan.FromMinutes(2), Cancellation);

        Signals.Send(System.Diagnostics.Process.GetProcessById(ChildOf(appHost, "K8shell.Shield.dll")), 9);

        Assert.Equal(1, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("✗ shield exited with code 137", appHost.Output);
        Assert.Contains("Last lines:", appHost.Output);
        Assert.Contains("K8shell stopped.", appHost.Output);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }

    private ChildProcess StartAppHost() => ChildProcess.Start(
        "apphost",
        "dotnet",
        ["exec", RepositoryPaths.ProjectAssembly("K8shell.AppHost", "K8shell.AppHost")],
        new Dictionary<string, string?> { ["K8SHELL_DATA"] = _data, ["NO_COLOR"] = "1" });

    private Dictionary<string, Dictionary<string, string>> ReadEndpoints() =>
        JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(File.ReadAllText(Path.Combine(_data, "endpoints.json")))!;

    /// <summary>The AppHost's direct child whose command line names <paramref name="assembly"/>.</summary>
    private static int ChildOf(ChildProcess parent, string assembly) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(int.Parse!)
            .Single(pid => ParentOf(pid) == parent.Id && CommandLine(pid).Contains(assembly));

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, Cancellation);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
