using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace K8shell.Identity.Users.OAuth;

/// <summary>A provider could not be asked: unreachable, too slow, or it answered something unusable.</summary>
public sealed class ProviderUnavailableException(string message) : Exception(message);

/// <summary>
/// JSON over HTTP to one provider, each call bounded by the provider's timeout. Failures become a
/// <see cref="ProviderUnavailableException"/> that says what went wrong; tokens never appear in it.
/// </summary>
public sealed class OAuthHttp(string provider, HttpClient http, TimeSpan timeout)
{
    /// <summary>
    /// Posts a form and returns the JSON answer, OAuth errors included: RFC 6749 §5.2 sends them with
    /// 400 or 401, GitHub with 200, both as <c>{"error": …}</c>.
    /// </summary>
    public async Task<JsonElement> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        (await SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) }, null, cancellationToken))!.Value;

    /// <summary>GETs JSON, with a bearer token when given; null when the provider says 404 (no such user).</summary>
    public Task<JsonElement?> GetAsync(string url, string? bearer, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, url), bearer, cancellationToken);

    private async Task<JsonElement?> SendAsync(HttpRequestMessage request, string? bearer, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        using var disposeRequest = request;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // GitHub's API refuses requests without one.
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("K8shell-Identity", "1"));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        var endpoint = request.RequestUri!.GetLeftPart(UriPartial.Path);
        try
        {
            using var response = await http.SendAsync(request, bounded.Token);
            var body = await response.Content.ReadAsStringAsync(bounded.Token);
            if (response.StatusCode == HttpStatusCode.NotFound && request.Method == HttpMethod.Get)
            {
                return null;
            }
            JsonElement json;
            try
            {
                json = JsonElement.Parse(body);
            }
            catch (JsonException)
            {
                throw new ProviderUnavailableException($"{provider}: {endpoint} answered HTTP {(int)response.StatusCode} without JSON");
            }
            var oauthError = request.Method == HttpMethod.Post && json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out _)
                && response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized;
            if (!response.IsSuccessStatusCode && !oauthError)
            {
                throw new ProviderUnavailableException($"{provider}: {endpoint} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            return json;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderUnavailableException($"{provider}: {endpoint} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException unreachable)
        {
            throw new ProviderUnavailableException($"{provider}: {endpoint} is unreachable: {unreachable.Message}");
        }
    }
}
