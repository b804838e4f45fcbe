using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8shell.AppHost.Tests;

/// <summary><c>--publisher manifest</c>: what azd reads, checked against Aspire's schema and for the wiring it must carry.</summary>
public sealed partial class ManifestTests : IAsyncDisposable
{
    private static readonly string[] TypesAzdDeploys = ["project.v0", "container.v0", "parameter.v0", "value.v0"];
    private readonly string _output = Directory.CreateTempSubdirectory("k8shell-manifest-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_manifest_is_valid_against_the_Aspire_schema()
    {
        var manifest = await PublishAsync();

        Assert.Empty(await AspireSchema.ErrorsAsync(manifest, Cancellation));
        Assert.Equal("https://json.schemastore.org/aspire-8.0.json", (string?)manifest["$schema"]);
    }

    [Fact]
    public async Task The_schema_check_refuses_a_binding_without_transport()
    {
        // The validator is real: the same manifest with one required field gone fails.
        var manifest = await PublishAsync();
        manifest["resources"]!["identity"]!["bindings"]!["grpc"]!.AsObject().Remove("transport");

        // The resource no longer matches any of the schema's resource types (its oneOf), so the error names the resource.
        Assert.Contains(await AspireSchema.ErrorsAsync(manifest, Cancellation), error => error.StartsWith("resources/identity: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Holds_only_resource_types_azd_deploys()
    {
        var resources = Resources(await PublishAsync());

        Assert.All(resources, resource => Assert.Contains((string?)resource.Value!["type"], TypesAzdDeploys));
        Assert.Equal(["nats-password", "nats", "identity", "sessions", "provisioner", "provisioner-identity-token", "shield", "ssh-proxy", "ssh-proxy-identity-token", "ssh-proxy-provisioner-token", "ssh-proxy-sessions-token"],
            resources.Select(resource => resource.Key));
    }

    [Fact]
    public async Task Services_find_each_other_through_placeholders_azd_resolves()
    {
        var resources = Resources(await PublishAsync());

        var proxy = resources["ssh-proxy"]!["env"]!;
        Assert.Equal("{identity.bindings.grpc.url}", (string?)proxy["services__identity__grpc__0"]);
        Assert.Equal("{provisioner.bindings.grpc.url}", (string?)proxy["services__provisioner__grpc__0"]);
        Assert.Equal("{sessions.bindings.grpc.url}", (string?)proxy["services__sessions__grpc__0"]);
        Assert.Equal("{nats.connectionString}", (string?)proxy["ConnectionStrings__nats"]);
        Assert.Equal("{nats.connectionString}", (string?)resources["shield"]!["env"]!["ConnectionStrings__nats"]);
        Assert.Equal("nats://nats:{nats-password.value}@{nats.bindings.tcp.host}:{nats.bindings.tcp.port}", (string?)resources["nats"]!["connectionString"]);
    }

    [Fact]
    public async Task Every_placeholder_names_a_resource_and_a_property_azd_knows()
    {
        var manifest = await PublishAsync();
        var names = Resources(manifest).Select(resource => resource.Key).ToHashSet();

        var placeholders = Placeholder().Matches(manifest.ToJsonString()).ToList();

        Assert.NotEmpty(placeholders);
        Assert.All(placeholders, placeholder =>
        {
            Assert.Contains(placeholder.Groups["resource"].Value, names);
            Assert.Matches(AzdProperty(), placeholder.Groups["path"].Value);
        });
    }

    [Fact]
    public async Task gRPC_endpoints_are_http2_and_only_the_public_ones_are_external()
    {
        var resources = Resources(await PublishAsync());

        foreach (var service in new[] { "identity", "sessions", "provisioner" })
        {
            Assert.Equal("http2", (string?)resources[service]!["bindings"]!["grpc"]!["transport"]);
            Assert.Equal("http", (string?)resources[service]!["bindings"]!["http"]!["transport"]);
            Assert.Null(resources[service]!["bindings"]!["grpc"]!["external"]);
        }
        Assert.True((bool?)resources["sessions"]!["bindings"]!["http"]!["external"]); // the replay page
        var ssh = resources["ssh-proxy"]!["bindings"]!["ssh"]!;
        Assert.Equal(("tcp", 2022, true), ((string?)ssh["transport"], (int?)ssh["targetPort"], (bool?)ssh["external"]));
        Assert.Equal(4222, (int?)resources["nats"]!["bindings"]!["tcp"]!["targetPort"]);
    }

    [Fact]
    public async Task Secrets_are_parameters_a_deployer_generates_and_both_sides_of_a_caller_token_share_one()
    {
        var resources = Resources(await PublishAsync());

        foreach (var name in new[] { "nats-password", "provisioner-identity-token", "ssh-proxy-identity-token", "ssh-proxy-provisioner-token", "ssh-proxy-sessions-token" })
        {
            var input = resources[name]!["inputs"]!["value"]!;
            Assert.Equal($"{{{name}.inputs.value}}", (string?)resources[name]!["value"]);
            Assert.True((bool?)input["secret"]);
            Assert.True((int?)input["default"]!["generate"]!["minLength"] >= 22);
        }
        Assert.Equal("{provisioner-identity-token.value}", (string?)resources["identity"]!["env"]!["Identity__Callers__StaticTokens__provisioner"]);
        Assert.Equal("{provisioner-identity-token.value}", (string?)resources["provisioner"]!["env"]!["Services__identity__Token"]);
        Assert.Equal("{ssh-proxy-sessions-token.value}", (string?)resources["sessions"]!["env"]!["Sessions__Callers__StaticTokens__ssh-proxy"]);
        Assert.Equal("{ssh-proxy-sessions-token.value}", (string?)resources["ssh-proxy"]!["env"]!["Services__sessions__Token"]);
    }

    [Fact]
    public async Task Project_paths_are_relative_to_the_manifest_and_nothing_of_the_local_run_leaks_in()
    {
        var manifest = await PublishAsync();

        foreach (var project in Resources(manifest).Where(resource => (string?)resource.Value!["type"] == "project.v0"))
        {
            var path = (string)project.Value!["path"]!;
            Assert.False(Path.IsPathRooted(path), path);
            Assert.True(File.Exists(Path.Combine(_output, path)), $"{project.Key}: {path} does not lead to the project from the manifest's folder");
        }
        var text = manifest.ToJsonString();
        Assert.DoesNotContain("127.0.0.1", text);
        Assert.DoesNotContain("DataDirectory", text);
        Assert.DoesNotContain("Kestrel__", text);
    }

    [Fact]
    public async Task An_output_path_ending_in_json_is_the_file_and_none_at_all_is_an_error()
    {
        var file = Path.Combine(_output, "nested", "k8shell.json");
        await using (var publish = AppHostProcess.Start(["--publisher", "manifest", "--output-path", file], new Dictionary<string, string?>()))
        {
            Assert.Equal(0, await publish.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }
        Assert.True(File.Exists(file));

        await using var missing = AppHostProcess.Start(["--publisher", "manifest"], new Dictionary<string, string?>());
        Assert.Equal(2, await missing.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("--output-path", missing.Output);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_output, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task<JsonObject> PublishAsync()
    {
        // azd's way: the folder form of --output-path, from the AppHost's own folder.
        await using var publish = AppHostProcess.Start(["--publisher", "manifest", "--output-path", _output], new Dictionary<string, string?>());
        Assert.Equal(0, await publish.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        return JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "aspire-manifest.json"), Cancellation))!.AsObject();
    }

    private static JsonObject Resources(JsonObject manifest) => manifest["resources"]!.AsObject();

    [GeneratedRegex(@"\{(?<resource>[a-zA-Z][a-zA-Z0-9-]*)\.(?<path>[^{}]+)\}")]
    private static partial Regex Placeholder();

    // What azd's resolver (evalBindingRef) accepts; anything else fails a deployment.
    [GeneratedRegex(@"^(bindings\.[a-z0-9]+\.(scheme|protocol|transport|external|host|targetPort|port|url)|connectionString|value|inputs\.value)$")]
    private static partial Regex AzdProperty();
}
