namespace K8shell.Identity.Tests;

/// <summary>A provider configured wrongly stops Identity at start, naming the key, rather than failing logins later.</summary>
public sealed class ProviderConfigurationTests(IdentityFixture identity)
{
    [Theory]
    [InlineData("bitbucket", "client", "Identity:OAuth:Providers:corp:Preset: unknown preset \"bitbucket\" (github, gitlab, or none with every endpoint set)")]
    [InlineData("github", "", "Identity:OAuth:Providers:corp:ClientId is required (the OAuth application's client id)")]
    [InlineData("", "client", "Identity:OAuth:Providers:corp:DeviceAuthorizationUrl is required without a preset")]
    public async Task A_wrong_provider_stops_the_service_naming_the_key(string preset, string clientId, string reason)
    {
        var output = await identity.RefusedStartAsync(new()
        {
            ["Identity__OAuth__Providers__corp__Preset"] = preset,
            ["Identity__OAuth__Providers__corp__ClientId"] = clientId,
        });

        Assert.Contains(reason, output);
    }

    [Fact]
    public async Task A_repository_file_endpoint_without_a_preset_needs_the_repository_address()
    {
        var endpoints = new[] { "DeviceAuthorizationUrl", "TokenUrl", "UserUrl", "UserByIdUrl", "KeysUrl" }
            .ToDictionary(endpoint => $"Identity__OAuth__Providers__corp__{endpoint}", endpoint => (string?)$"https://git.example.test/{endpoint}");
        endpoints["Identity__OAuth__Providers__corp__ClientId"] = "client";
        endpoints["Identity__OAuth__Providers__corp__RepositoryFileUrl"] = "https://git.example.test/{owner}/{name}/raw/{ref}/.k8shell.yaml";

        var output = await identity.RefusedStartAsync(endpoints);

        Assert.Contains("Identity:OAuth:Providers:corp:RepositoryUrl is required with RepositoryFileUrl and no preset", output);
    }
}
