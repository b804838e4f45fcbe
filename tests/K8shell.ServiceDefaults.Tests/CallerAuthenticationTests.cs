using System.Net;
using System.Net.Http.Headers;
using K8shell.ServiceDefaults.Callers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.Tests;

/// <summary>
/// Caller authentication is the same for every service but reads the section the service names. The checks
/// themselves (static tokens, service-account tokens, issuer trouble) are proven against the real Identity in
/// K8shell.Identity.Tests; here, that another service gets them under its own keys.
/// </summary>
public sealed class CallerAuthenticationTests
{
    private const string Section = "Sessions:Callers";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("identitys-token", HttpStatusCode.Unauthorized)]
    [InlineData("sessions-token", HttpStatusCode.OK)]
    public async Task Callers_are_those_of_the_services_own_section(string? credential, HttpStatusCode expected)
    {
        await using var service = await SessionsAsync(new()
        {
            [$"{Section}:StaticTokens:ssh-proxy"] = "sessions-token",
            // Another service's callers are not this one's.
            ["Identity:Callers:StaticTokens:ssh-proxy"] = "identitys-token",
        });
        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/caller");
        request.Headers.Authorization = credential is null ? null : new AuthenticationHeaderValue("Bearer", credential);

        using var response = await http.SendAsync(request, Cancellation);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal("ssh-proxy", await response.Content.ReadAsStringAsync(Cancellation));
        }
    }

    [Theory]
    [InlineData(null, "sessions")]
    [InlineData("sessions.k8shell", "sessions.k8shell")]
    public async Task Service_account_tokens_must_be_for_the_service_unless_configured_otherwise(string? configured, string audience)
    {
        await using var service = await SessionsAsync(configured is null ? [] : new() { [$"{Section}:Kubernetes:Audience"] = configured });

        Assert.Equal(audience, service.Services.GetRequiredService<IOptions<CallerOptions>>().Value.Kubernetes.Audience);
    }

    [Fact]
    public async Task A_bad_setting_stops_the_service_naming_its_own_key()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            SessionsAsync(new() { [$"{Section}:Kubernetes:Issuer"] = "https://kubernetes.default.svc.cluster.local" }));

        Assert.Contains($"{Section}:Kubernetes:Allowed: list at least one", refused.Message);
    }

    /// <summary>A service registered as Sessions would be, with one protected endpoint that names its caller.</summary>
    private static Task<TestService> SessionsAsync(Dictionary<string, string?> configuration) => TestService.StartAsync(
        builder => builder.AddCallerAuthentication(Section, audience: "sessions"),
        configuration,
        app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/caller", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization();
        });
}
