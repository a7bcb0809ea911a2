DROP INDEX forecast_adjustments_forecast;
DROP TABLE forecast_adjustments;
