using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace K8shell.Identity.Users.OAuth;

/// <summary>A provider could not be asked: unreachable, too slow, or it answered something unusable.</summary>
public sealed class ProviderUnavailableException(string message) : Exception(message);

/// <summary>
/// A file a provider answered with: its bytes when the status is 200 and it fits the limit; otherwise the
/// status alone, and whether the answer was the provider limiting the rate of calls.
/// </summary>
public sealed record ProviderFile(HttpStatusCode Status, byte[] Content, bool TooLarge, bool RateLimited);

/// <summary>
/// JSON (and files) over HTTP to one provider, each call bounded by the provider's timeout. Failures become a
/// <see cref="ProviderUnavailableException"/> that says what went wrong; tokens never appear in it.
/// </summary>
public sealed class OAuthHttp(string provider, HttpClient http, TimeSpan timeout)
{
    /// <summary>
    /// Posts a form and returns the JSON answer, OAuth errors included: RFC 6749 §5.2 sends them with
    /// 400 or 401, GitHub with 200, both as <c>{"error": …}</c>.
    /// </summary>
    public async Task<JsonElement> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        (await JsonAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) }, null, cancellationToken))!.Value;

    /// <summary>GETs JSON, with a bearer token when given; null when the provider says 404 (no such user).</summary>
    public Task<JsonElement?> GetAsync(string url, string? bearer, CancellationToken cancellationToken) =>
        JsonAsync(new HttpRequestMessage(HttpMethod.Get, url), bearer, cancellationToken);

    /// <summary>
    /// GETs a file as <paramref name="accept"/>, never reading more than <paramref name="maxBytes"/> + 1 bytes of it:
    /// a file bigger than the limit is <see cref="ProviderFile.TooLarge"/>, not read.
    /// </summary>
    public Task<ProviderFile> GetFileAsync(string url, string accept, string? bearer, int maxBytes, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, url), accept, bearer, async (response, _, token) =>
        {
            // GitHub's primary limit is a 403 with no calls remaining, its secondary one a 403 with Retry-After; GitLab's a 429.
            var rateLimited = response.StatusCode == HttpStatusCode.TooManyRequests || (response.StatusCode == HttpStatusCode.Forbidden
                && (response.Headers.RetryAfter is not null || (response.Headers.TryGetValues("x-ratelimit-remaining", out var remaining) && remaining.Contains("0"))));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new ProviderFile(response.StatusCode, [], TooLarge: false, rateLimited);
            }
            if (response.Content.Headers.ContentLength > maxBytes)
            {
                return new ProviderFile(response.StatusCode, [], TooLarge: true, RateLimited: false);
            }
            var content = await ReadAtMostAsync(response.Content, maxBytes + 1, token);
            return content.Length > maxBytes
                ? new ProviderFile(response.StatusCode, [], TooLarge: true, RateLimited: false)
                : new ProviderFile(response.StatusCode, content, TooLarge: false, RateLimited: false);
        }, cancellationToken);

    private Task<JsonElement?> JsonAsync(HttpRequestMessage request, string? bearer, CancellationToken cancellationToken) =>
        SendAsync<JsonElement?>(request, "application/json", bearer, async (response, endpoint, token) =>
        {
            var body = await response.Content.ReadAsStringAsync(token);
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
        }, cancellationToken);

    /// <summary>Sends <paramref name="request"/> and reads the answer with <paramref name="read"/>, both within the timeout.</summary>
    private async Task<T> SendAsync<T>(HttpRequestMessage request, string accept, string? bearer,
        Func<HttpResponseMessage, string, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        using var disposeRequest = request;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        // GitHub's API refuses requests without one.
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("K8shell-Identity", "1"));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        // Without the query, which may carry a ref but never belongs in a message about the endpoint.
        var endpoint = request.RequestUri!.GetLeftPart(UriPartial.Path);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token);
            return await read(response, endpoint, bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderUnavailableException($"{provider}: {endpoint} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException unreachable)
        {
            throw new ProviderUnavailableException($"{provider}: {endpoint} is unreachable: {unreachable.Message}");
        }
        catch (IOException broken)
        {
            throw new ProviderUnavailableException($"{provider}: {endpoint} broke off its answer: {broken.Message}");
        }
    }

    private static async Task<byte[]> ReadAtMostAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var length = 0;
        int read;
        while (length < limit && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        return buffer[..length];
    }
}
