using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Channels;

/// <summary>Registers <see cref="ChannelDispatcher"/> and its options (section <c>SshProxy:Channels</c>).</summary>
internal static class ChannelRegistration
{
    public static IHostApplicationBuilder AddChannels(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChannelOptions>().Bind(builder.Configuration.GetSection(ChannelOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ChannelOptions>, ChannelOptionsValidation>();
        builder.Services.AddSingleton<ChannelDispatcher>();
        return builder;
    }
}
