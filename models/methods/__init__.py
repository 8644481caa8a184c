"""National evaluation methods beyond single-factor classes, each a small pure module.

* ``trophic`` — lake/reservoir comprehensive trophic level index TLI(Σ) and its bands
  (湖泊（水库）富营养化评价方法及分级技术规定; 地表水环境质量评价办法（试行）, 环办〔2011〕22号).
* ``ratings`` — river, basin and county ratings by the section class-proportion method, class
  shares, main pollutants by section exceedance rate, class colours (环办〔2011〕22号).
* ``cwqi`` — the city water-quality index CWQI and its change ΔCWQI
  (城市地表水环境质量排名技术规定（试行）, 环办监测〔2017〕51号).
* ``seasons`` — hydrological seasons 丰水期 / 平水期 / 枯水期 by month (GB 3838-2002 §4).

The seasonal Kendall trend test lives beside the Spearman test in models.period.trend.
"""
