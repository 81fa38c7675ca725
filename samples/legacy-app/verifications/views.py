import logging
import re
from random import randint

from django_redis import get_redis_connection
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import constants

logger = logging.getLogger(__name__)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

# Compare-and-delete in one atomic step so a code can be used exactly once,
# even when two verification requests race. Returns -1 missing, 0 wrong, 1 ok.
_CHECK_AND_DELETE = """
local stored = redis.call('GET', KEYS[1])
if not stored then return -1 end
if stored ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
"""


def mask_mobile(mobile):
    """13800138000 -> 138****8000 (never log a full number or a code)."""
    mobile = str(mobile)
    if len(mobile) < 8:
        return "****"
    return f"{mobile[:3]}****{mobile[-4:]}"


class SMSCodeView(APIView):
    """短信验证"""

    def get(self, request, mobile):
        # 1. 创建redis连接对象
        redis_conn = get_redis_connection("verify_codes")
        # 2  从redis获取发送短信标记位
        send_flag = redis_conn.get("send_flag_%s" % mobile)
        if send_flag:  # 如果取到了标记位，证明60s已经发送了短信
            return Response({"message": "手机频繁发送短信"}, status=status.HTTP_400_BAD_REQUEST)
        # 3. 生成验证码
        # %06d 代表数位不足时前面的字符用0补全
        sms_code = "%06d" % randint(0, 999999)
        # 不记录验证码本身, 只记录脱敏后的手机号
        logger.info("sms code generated for %s", mask_mobile(mobile))
        # 4. 把验证码存储到redis数据库
        # 创建redis管道:(把多次redis操作装入管道中，将来一次性去执行，减少redis连接操作)
        pl = redis_conn.pipeline()
        pl.setex("sms_%s" % mobile, constants.SMS_CODE_REDIS_EXPIRES, sms_code)
        # 5 存储一个标记位，表示该手机号是否在60秒内发送过短信
        pl.setex("send_flag_%s" % mobile, constants.SEND_SMS_CODE_INTERVAL, 1)
        # 执行管道
        pl.execute()
        # 6. 利用xx工具发送短信验证码 (示例应用不真正发送)
        # 7. 响应
        return Response({"message": "ok"})


class SMSCodeVerifyView(APIView):
    """校验短信验证码 (一次有效)"""

    authentication_classes = []

    def post(self, request):
        mobile = str(request.data.get("mobile", "")).strip()
        sms_code = str(request.data.get("sms_code", "")).strip()
        if not mobile or not sms_code:
            return Response({"message": "缺少必传参数"}, status=status.HTTP_400_BAD_REQUEST)
        if not MOBILE_RE.match(mobile):
            return Response({"message": "手机号格式错误"}, status=status.HTTP_400_BAD_REQUEST)

        redis_conn = get_redis_connection("verify_codes")
        result = redis_conn.eval(_CHECK_AND_DELETE, 1, "sms_%s" % mobile, sms_code)
        if result == -1:
            logger.info("sms code expired or missing for %s", mask_mobile(mobile))
            return Response({"message": "验证码已过期"}, status=status.HTTP_400_BAD_REQUEST)
        if result == 0:
            logger.info("wrong sms code for %s", mask_mobile(mobile))
            return Response({"message": "验证码错误"}, status=status.HTTP_400_BAD_REQUEST)
        logger.info("sms code verified for %s", mask_mobile(mobile))
        return Response({"message": "ok"})
