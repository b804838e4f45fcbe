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
}
