using DemoSmsProvider;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.Configure<DemoProviderOptions>(builder.Configuration.GetSection(DemoProviderOptions.SectionName));
builder.Services.AddSingleton<SentMessageStore>();
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
app.MapProviderEndpoints();
app.Run();
