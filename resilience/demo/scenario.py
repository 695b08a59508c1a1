"""The fixed facts of the Rakumpit demo scenario: when, where, and the region's codes.

One flood event on the Rungan and Kahayan rivers in Kota Palangka Raya: the affected
kelurahan (with how many households each and the river named in their texts), their
streets, and the event's dates. Seed-independent; the generator draws everything else.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

EVENT_NAME = "Banjir Rungan-Kahayan Maret 2026"
STARTED_AT = datetime(2026, 3, 10, 6, 0, 0, tzinfo=timezone.utc)
REFERENCE_DATE = date(2026, 3, 10)          # "today" for ages in NIK
REPORT_WINDOW_MIN = 36 * 60                 # needs are reported in the first 36 h
OFFER_TIMEOUT_MINUTES = 20

REGION_CODE = "6271"                        # Kota Palangka Raya (NIK / KK prefix)
M_PER_DEG = 111_320.0                       # metres per degree of latitude

# Affected kelurahan: all of Kecamatan Rakumpit (62.71.05) plus the riverside
# kelurahan of the Rungan (Kanarakan, Marang, Petuk Katimpun) and of the
# Rungan-Kahayan confluence (Tumbang Rungan, Pahandut Seberang).
# code -> (base number of households, river name used in texts)
AFFECTED_KELURAHAN = {
    "62.71.05.1004": (70, "Rungan"),    # Mungku Baru
    "62.71.05.1007": (55, "Rungan"),    # Bukit Sua
    "62.71.05.1003": (55, "Rungan"),    # Petuk Barunai
    "62.71.05.1005": (55, "Rungan"),    # Pager
    "62.71.05.1002": (45, "Rungan"),    # Panjehang
    "62.71.05.1006": (50, "Rungan"),    # Gaung Baru
    "62.71.05.1001": (60, "Rungan"),    # Petuk Bukit
    "62.71.02.1006": (45, "Rungan"),    # Kanarakan
    "62.71.02.1001": (30, "Rungan"),    # Marang
    "62.71.03.1004": (35, "Rungan"),    # Petuk Katimpun
    "62.71.01.1004": (50, "Kahayan"),   # Tumbang Rungan
    "62.71.01.1005": (50, "Kahayan"),   # Pahandut Seberang
}

# Streets per kelurahan (the first one is always "Jl. <kelurahan name>").
STREETS = {
    "62.71.05.1004": ["Jl. Tepian Rungan", "Gg. Harapan", "Gg. Dermaga"],
    "62.71.05.1007": ["Jl. Tepian Rungan", "Gg. Mawar", "Gg. Balai Desa"],
    "62.71.05.1003": ["Jl. Dermaga", "Gg. Karya Bersama", "Gg. Tambun"],
    "62.71.05.1005": ["Jl. Dermaga Pager", "Gg. Sepakat", "Gg. Sekolah"],
    "62.71.05.1002": ["Jl. Tepian Rungan", "Gg. Bersama", "Gg. Pelita"],
    "62.71.05.1006": ["Jl. Sungai Rungan", "Gg. Kenanga", "Gg. Handep"],
    "62.71.05.1001": ["Jl. Pendidikan", "Gg. Damai", "Gg. Tingang"],
    "62.71.02.1006": ["Jl. Dermaga Kanarakan", "Gg. Sejahtera", "Gg. Betang"],
    "62.71.02.1001": ["Jl. Tjilik Riwut", "Gg. Melati", "Gg. Rahayu"],
    "62.71.03.1004": ["Jl. Tepian Rungan", "Gg. Sabar", "Gg. Kelotok"],
    "62.71.01.1004": ["Jl. Dermaga Tumbang Rungan", "Gg. Rungan Indah", "Gg. Pelabuhan"],
    "62.71.01.1005": ["Jl. Tepian Kahayan", "Gg. Seberang Jaya", "Gg. Mufakat"],
}
