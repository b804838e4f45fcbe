using Microsoft.Extensions.FileProviders;

namespace K8shell.Sessions.Replay;

/// <summary>
/// The web page that lists sessions and replays recordings, served from <c>replay/</c> beside the
/// service's assembly (the build puts the page and the vendored asciinema player there). The page holds no
/// data: it asks the API with the bearer credential the user gives it, so it is served to anyone.
/// </summary>
internal static class ReplayPage
{
    // The page's own scripts and styles only; the player compiles its terminal emulator from WebAssembly
    // and positions text with style attributes.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
        "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication UseReplayPage(this WebApplication app)
    {
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "replay"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Small files that change with every release: revalidate instead of guessing an age.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
