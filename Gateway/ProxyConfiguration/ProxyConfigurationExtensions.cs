using Gateway.ProxyConfiguration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Checks YARP's configuration section as strictly as the gateway's own sections.</summary>
internal static class ProxyConfigurationExtensions
{
    /// <summary>
    /// Fails now, one line per mistake, when <paramref name="reverseProxy"/> has a key YARP does not read or a value
    /// that does not convert; and refuses such a reload later (the last good configuration stays).
    /// </summary>
    public static IReverseProxyBuilder CheckStrictly(this IReverseProxyBuilder builder, IConfigurationSection reverseProxy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(reverseProxy);
        var problems = ProxyConfigurationShape.Check(reverseProxy).ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(reverseProxy.Path, typeof(IProxyConfig), problems);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter>(new StrictProxyConfigFilter(reverseProxy)));
        return builder;
    }
}
