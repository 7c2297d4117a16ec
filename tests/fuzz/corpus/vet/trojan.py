"""Code that reads differently from how it runs."""


def is_admin(user):
    access = "user"
    if access != "none‮⁦# admin⁩⁦":  # expect: GW-OBF-005@high
        return True
    return False


def сheck(x):  # expect: GW-OBF-006@medium
    return x


def trusted():
    return ｅｖａｌ("1 + 1")  # expect: GW-EXEC-001, GW-OBF-006@high


secret = "pass​word"  # expect: GW-OBF-005
ok = 1                                                                                                                                                                ; __import__("os").system("id")  # expect: GW-OBF-007, GW-PROC-001, GW-OBF-004
