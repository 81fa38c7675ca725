using Gateway.Middleware.Policies;
using Gateway.Middleware.Routing;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Model;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts the SMS code gate in the YARP proxy pipeline.</summary>
public static class SmsCodeGateApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the gate to the proxy pipeline, inside <c>MapReverseProxy(pipeline =&gt; ...)</c>. It acts only on routes
    /// whose metadata names a policy, after route matching and before load balancing and forwarding.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseSmsCodeGate(this IReverseProxyApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var isService = builder.ApplicationServices.GetRequiredService<IServiceProviderIsService>();
        if (!isService.IsService(typeof(SmsCodePolicyRegistry)))
        {
            throw new InvalidOperationException(
                "Unable to find the SMS code gate's services. Call services.AddReverseProxy().AddSmsCodeGate(...) before app.MapReverseProxy(p => p.UseSmsCodeGate()).");
        }

        builder.UseMiddleware<SmsCodeGateMiddleware>();
        return builder;
    }
}
