# 短信验证码在redis中的有效期, 单位: 秒
SMS_CODE_REDIS_EXPIRES = 300
# 同一手机号两次发送短信的最小间隔, 单位: 秒
SEND_SMS_CODE_INTERVAL = 60
