"""Addresses that only attackers need."""
C2 = "http://45.33.32.156:8080/beacon"  # expect: GW-URL-001
TUNNEL = "https://3f2a-81-2-69-142.ngrok-free.app/in"  # expect: GW-URL-002@high
PASTE = "https://pastebin.com/raw/Xy12AbCd"  # expect: GW-URL-003
HOOK = "https://discord.com/api/webhooks/1234567890/abcdefABCDEF"  # expect: GW-URL-004@high
BOT = "https://api.telegram.org/bot123456:ABC/sendMessage"  # expect: GW-URL-004
SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"  # expect: GW-URL-004
SPLIT = "https://" + "eager-cat" + ".trycloudflare.com"  # expect: GW-URL-002
PEER = ("185.199.108.153", 4444)  # expect: GW-URL-001
LAB = "http://192.168.1.20/x"  # expect: GW-URL-001@low
DOCS = "https://gymnasium.farama.org/environments/classic_control/"
LOCAL = "http://127.0.0.1:8000/"
